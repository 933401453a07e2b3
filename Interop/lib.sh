# Shared by the interop scripts (sourced, from the package's root): the tandem binary to run, and waiting for a
# server to come up.

# tandem_binary: prints the tandem binary to run: TANDEM_BINARY when set (it must be executable), else a debug
# build's, built first.
tandem_binary() {
    if [[ -n ${TANDEM_BINARY:-} ]]; then
        [[ -x $TANDEM_BINARY ]] || { echo "TANDEM_BINARY=$TANDEM_BINARY is not an executable file" >&2; return 1; }
        echo "$TANDEM_BINARY"
    else
        swift build --product tandem >/dev/null
        echo "$(swift build --show-bin-path)/tandem"
    fi
}

# wait_until_up LOG PID: waits up to 60 s for the server PID to print "Tandem is up" to LOG, giving up as soon as
# it exits; succeeds once it is up.
wait_until_up() {
    local log=$1 pid=$2
    for _ in $(seq 1 300); do
        grep -q "Tandem is up" "$log" && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.2
    done
    grep -q "Tandem is up" "$log"
}

# Checks, for the scripts that count them. Each needs $work, a scratch directory of the script's own.
passed=0
failed=0
ok() { echo "ok   $1"; passed=$((passed + 1)); }
# not_ok NAME [FILE]: a failed check, and the end of FILE (what it printed).
not_ok() {
    echo "FAIL $1"
    [[ -z ${2:-} ]] || tail -20 "$2" | awk '{ print "     " $0 }'
    failed=$((failed + 1))
}
# check NAME COMMAND...: one check that passes when COMMAND does. COMMAND runs as an `if` condition, where `set -e`
# does not apply: a function of several steps must fail by itself at each (`|| return 1`), not only at its last.
check() {
    local name=$1
    shift
    if "$@" >"$work/check.out" 2>&1; then ok "$name"; else not_ok "$name" "$work/check.out"; fi
}
# poll SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds (0) or SECONDS have passed (1). What it last
# printed is in $work/poll.out.
poll() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >"$work/poll.out" 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}
