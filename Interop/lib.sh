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
