// The code editor (CodeMirror 6): Python or shell highlighting picked from the chosen
// interpreter; colours come from the stylesheet (tok-* classes), so dark mode follows.
// It lives in a shadow root: there CodeMirror's own styles go in as a constructed
// stylesheet, which the Content-Security-Policy allows, where in the document they would
// be an inline <style> element, which it blocks.
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

// Not a controlled input: value is the starting text; onChange reports every edit.
export function Editor({ value, language, onChange, label }) {
  const box = useRef(null);
  const view = useRef(null);
  const mode = useRef(new Compartment());
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    const shadow = box.current.attachShadow({ mode: 'open' });
    const sheet = document.createElement('link');
    sheet.rel = 'stylesheet';
    sheet.href = '/web/assets/app.css';
    const mount = document.createElement('div');
    mount.className = 'editor-inner';
    shadow.append(sheet, mount);
    view.current = new EditorView({
      root: shadow,
      parent: mount,
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

  return html`<div class="editor" ref=${box} data-language=${language}></div>`;
}
