// The code editor (CodeMirror 6): Python or shell highlighting picked from the chosen
// interpreter; colours come from the stylesheet (tok-* classes), so dark mode follows.
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import { basicSetup } from 'codemirror';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { StreamLanguage, syntaxHighlighting } from '@codemirror/language';
import { python } from '@codemirror/lang-python';
import { shell } from '@codemirror/legacy-modes/mode/shell';
import { classHighlighter } from '@lezer/highlight';

export function languageOf(interpreter) {
  return /python/.test(interpreter || 'python3') ? 'python' : 'shell';
}

function extension(language) {
  return language === 'python' ? python() : StreamLanguage.define(shell);
}

export function Editor({ value, language, onChange, label }) {
  const box = useRef(null);
  const view = useRef(null);
  const mode = useRef(new Compartment());
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    view.current = new EditorView({
      parent: box.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          syntaxHighlighting(classHighlighter),
          mode.current.of(extension(language)),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    return () => view.current.destroy();
  }, []);

  useEffect(() => {
    view.current.dispatch({ effects: mode.current.reconfigure(extension(language)) });
  }, [language]);

  // Set from outside (an example chosen): replace the text without an update loop.
  useEffect(() => {
    const current = view.current.state.doc.toString();
    if (current !== value) view.current.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  return html`<div class="editor" ref=${box} data-language=${language}></div>`;
}
