# fish completion for ia-status
function __ia_status_columns
    set -l tok (commandline -ct)
    set -l prefix ''
    if string match -q '*,*' -- $tok
        set prefix (string replace -r '[^,]*$' '' -- $tok)
    end
    set -l columns id state name node exit wall attempt priority owner created finished reason
    if __fish_seen_subcommand_from nodes
        set columns node state cpu memory gpu running completed compute labels heartbeat
    else if __fish_seen_subcommand_from queue
        set columns position node score waiting band reason
    else if __fish_seen_subcommand_from top
        set columns rank node completed compute
    end
    for c in $columns
        echo $prefix$c
    end
end

set -l __ia_status_cmds tasks nodes queue top logs
complete -c ia-status -f
complete -c ia-status -n "not __fish_seen_subcommand_from $__ia_status_cmds" -a tasks -d 'List tasks'
complete -c ia-status -n "not __fish_seen_subcommand_from $__ia_status_cmds" -a nodes -d 'List nodes'
complete -c ia-status -n "not __fish_seen_subcommand_from $__ia_status_cmds" -a queue -d 'The fair queue of waiting nodes'
complete -c ia-status -n "not __fish_seen_subcommand_from $__ia_status_cmds" -a top -d 'Nodes by completed tasks and compute time'
complete -c ia-status -n "not __fish_seen_subcommand_from $__ia_status_cmds" -a logs -d "A task's output"
complete -c ia-status -n '__fish_seen_subcommand_from tasks' -l state -x -a 'queued leased running succeeded failed timed_out cancelled' -d 'Only tasks in this state'
complete -c ia-status -n '__fish_seen_subcommand_from tasks' -l limit -x -d 'At most this many (1 to 1000)'
complete -c ia-status -n '__fish_seen_subcommand_from tasks' -l after -x -d 'Only tasks with a higher id'
complete -c ia-status -n '__fish_seen_subcommand_from logs' -s f -l follow -d 'Keep printing until the task ends'
complete -c ia-status -l watch -x -d 'Redraw every D until interrupted'
complete -c ia-status -l format -x -a '(__ia_status_columns)' -d 'Columns to show, comma-separated'
complete -c ia-status -l server -x -d 'Scheduler URL'
complete -c ia-status -l token -x -d 'Bearer token'
complete -c ia-status -l token-file -r -F -d 'File holding the token'
complete -c ia-status -l ca-file -r -F -d 'CA bundle to trust for https'
complete -c ia-status -l config -r -F -d 'Config file'
complete -c ia-status -l json -d 'Print JSON'
complete -c ia-status -s q -l quiet -d 'Print only errors'
complete -c ia-status -s v -l verbose -d 'Say more'
complete -c ia-status -s h -l help -d 'Show help'
complete -c ia-status -l version -d 'Show version'
