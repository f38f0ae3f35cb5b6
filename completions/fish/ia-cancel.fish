# fish completion for ia-cancel
complete -c ia-cancel -f
complete -c ia-cancel -l state -x -a 'queued leased running succeeded failed timed_out cancelled' -d 'Cancel every unfinished task in this state'
complete -c ia-cancel -l name -x -d 'Cancel every unfinished task whose name matches (glob)'
complete -c ia-cancel -l server -x -d 'Scheduler URL'
complete -c ia-cancel -l token -x -d 'Bearer token'
complete -c ia-cancel -l token-file -r -F -d 'File holding the token'
complete -c ia-cancel -l ca-file -r -F -d 'CA bundle to trust for https'
complete -c ia-cancel -l config -r -F -d 'Config file'
complete -c ia-cancel -l json -d 'Print JSON'
complete -c ia-cancel -s q -l quiet -d 'Print only errors'
complete -c ia-cancel -s v -l verbose -d 'Say more'
complete -c ia-cancel -s h -l help -d 'Show help'
complete -c ia-cancel -l version -d 'Show version'
