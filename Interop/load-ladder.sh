#!/usr/bin/env bash
# A load ladder: sipp sends INVITEs (dialed numbers from an injection file, so nothing repeats) at rising rates
# to Tandem and, in the same run, to Kamailio configured as an equivalent 302 redirect server over the same
# prefix table. Prints, for each server and rate, the failures and the CPU time spent per call, then each
# server's knee (highest rate with under 0.1% failed calls) and the ratios.
#
#   bash Interop/load-ladder.sh [RATES...]        (default: 1000 2000 4000 8000 12000 16000)
#
# Each rate is run against every server in turn before the next rate, so that the machine's load drifts alike
# for all of them. LADDER_BASELINE=/path/to/tandem adds a second Tandem (an older build, say) to every rate, for
# before/after figures from one run. LADDER_ROUNDS=N runs the whole ladder N times (medians over every step).
#
# Needs sipp (sip-tester) and kamailio; builds Tandem in release mode. Loopback only; every run is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
rates=("${@:-1000 2000 4000 8000 12000 16000}")
read -r -a rates <<<"${rates[*]}"
seconds=${LADDER_SECONDS:-5}
prefixes=${LADDER_PREFIXES:-100000}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

swift build -c release --product tandem >/dev/null
tandem=$(swift build -c release --show-bin-path)/tandem

# The table: $prefixes seven-digit NANP prefixes (+1 NPA NXX), and numbers to dial inside them.
python3 - "$work" "$prefixes" <<'PY'
import random, sys
work, count = sys.argv[1], int(sys.argv[2])
random.seed(7)
npas = [n for n in range(201, 990) if n % 100 != 11 and str(n)[1:] != "11" and n not in (800, 833, 844, 855, 866, 877, 888, 900)]
prefixes = []
for npa in npas:
    for nxx in range(200, 1000):
        if nxx % 100 == 11:
            continue
        prefixes.append(f"{npa}{nxx}")
        if len(prefixes) == count:
            break
    if len(prefixes) == count:
        break
with open(f"{work}/deck.csv", "w") as deck:
    deck.write("prefix,rate\n")
    for p in prefixes:
        deck.write(f"1{p},0.0010\n")
with open(f"{work}/mtree", "w") as table:
    table.write("id(int,auto) tprefix(string) tvalue(string)\n")
    for i, p in enumerate(prefixes):
        table.write(f"{i + 1}:+1{p}:127.0.0.1\\:5081\n")
with open(f"{work}/version", "w") as version:
    version.write("table_name(string) table_version(int)\nmtree:1\n")
with open(f"{work}/dial.csv", "w") as dial:
    dial.write("RANDOM\n")
    for _ in range(100000):
        dial.write(f"+1{random.choice(prefixes)}{random.randint(0, 9999):04d};+12057090101\n")
PY

# Tandem: the demo, plus a carrier whose deck holds the same prefixes (the cheapest, so it is chosen first).
# The ladder's calls come from the demo trunk: lift its calls-per-second limit above the ladder's rates. Kamailio
# signs nothing, so neither does Tandem unless LADDER_SIGNING=all (then each call also costs an ES256 signature).
# Prints the server's process id.
start_tandem() {
    local name=$1 binary=$2 http=$3 sip=$4
    : >"$work/$name.log"
    "$binary" serve --demo --database "$work/$name.db" --http "127.0.0.1:$http" --sip "127.0.0.1:$sip" \
        --log-level warning >"$work/$name.log" 2>&1 &
    local pid=$!
    for _ in $(seq 1 120); do grep -q "Tandem is up" "$work/$name.log" && break; sleep 0.5; done
    grep -q "Tandem is up" "$work/$name.log" || { cat "$work/$name.log" >&2; echo "$name did not start" >&2; return 1; }
    "$binary" carriers add --database "$work/$name.db" --name Ladder --gateway 127.0.0.1:5081 >/dev/null
    local operator_key
    operator_key=$(grep -o 'TANDEM_KEY=tdm_[A-Za-z0-9]*' "$work/$name.log" | head -1 | cut -d= -f2)
    curl -sf -X PATCH -H "Authorization: Bearer $operator_key" -H 'Content-Type: application/json' \
        -d '{"max_calls_per_second":100000,"identity":{"signing":"'"${LADDER_SIGNING:-never}"'"}}' \
        "http://127.0.0.1:$http/v1/trunks/trk_acme_main" >/dev/null
    "$binary" import ratedeck --database "$work/$name.db" Ladder "$work/deck.csv" >/dev/null 2>&1
    echo "$pid"
}

servers=()
tandem_pid=$(start_tandem tandem "$tandem" 28180 25160)
pids+=("$tandem_pid")
servers+=("tandem 25160 $tandem_pid")
if [[ -n ${LADDER_BASELINE:-} ]]; then
    baseline_pid=$(start_tandem baseline "$LADDER_BASELINE" 28181 25161)
    pids+=("$baseline_pid")
    servers+=("baseline 25161 $baseline_pid")
fi
sleep 2

sed -e "s/@CHILDREN@/2/" -e "s/@PORT@/25260/" -e "s|@DBDIR@|$work|" Interop/kamailio/redirect.cfg >"$work/kamailio.cfg"
kamailio -f "$work/kamailio.cfg" -P "$work/kamailio.pid" -m 2048 -M 64 -DD -E >"$work/kamailio.log" 2>&1 &
pids+=($!)
# Kamailio loads the prefix table before it forks its workers (several seconds for 100,000 prefixes): wait until
# the set of its processes stops growing, or the workers' CPU is not counted (every step read 0.0 µs).
kamailio_pids=
for _ in $(seq 1 60); do
    sleep 1
    now=$(pgrep -f "kamailio -f $work/kamailio.cfg" | tr '\n' ' ' || true)
    [[ -n $now && $now == "$kamailio_pids" && $(wc -w <<<"$now") -ge 4 ]] && break
    kamailio_pids=$now
done
[[ -n $kamailio_pids ]] || { cat "$work/kamailio.log"; echo "kamailio did not start"; exit 1; }
servers+=("kamailio 25260 $kamailio_pids")

# The scenario reads the dialed number and the caller from the injection file.
sed -e 's/\[service\]/[field0]/g' -e 's/\[caller\]/[field1]/g' Interop/sipp/redirect.xml >"$work/ladder.xml"

cpu_ticks() { local total=0; for pid in $1; do read -r -a f <"/proc/$pid/stat"; total=$((total + f[13] + f[14])); done; echo $total; }
ticks_per_second=$(getconf CLK_TCK)

# One step: $rate calls a second for $seconds seconds to one server; appends "name rate ok failed µs" to results.
run_step() {
    local name=$1 port=$2 server_pids=$3 rate=$4
    local calls=$((rate * seconds))
    local before; before=$(cpu_ticks "$server_pids")
    timeout $((seconds * 4 + 30)) sipp -sf "$work/ladder.xml" -inf "$work/dial.csv" -r "$rate" -m "$calls" \
        -l $((rate * 2)) -nostdin -timeout $((seconds * 3 + 10))s -recv_timeout 4000 -trace_stat \
        -stf "$work/$name-$rate.csv" -p 25360 "127.0.0.1:$port" >/dev/null 2>&1 || true
    local after; after=$(cpu_ticks "$server_pids")
    local stats; stats=$(tail -1 "$work/$name-$rate.csv")
    rm -f "$work/$name-$rate.csv"
    local ok failed
    ok=$(echo "$stats" | awk -F';' '{print $16}')
    failed=$(echo "$stats" | awk -F';' '{print $18}')
    local cpu_us
    cpu_us=$(awk -v t=$((after - before)) -v hz="$ticks_per_second" -v n=$((ok + failed)) \
        'BEGIN { printf "%.1f", (n > 0 ? t * 1000000 / hz / n : 0) }')
    printf '%-8s %7s cps  %7s ok  %6s failed  %6s µs CPU per call\n' "$name" "$rate" "$ok" "$failed" "$cpu_us"
    echo "$name $rate $ok $failed $cpu_us" >>"$work/results"
}

echo "ladder: ${rates[*]} calls/s, $seconds s each, $prefixes prefixes, ${LADDER_ROUNDS:-1} round(s), sipp on the same cores"
for _ in $(seq 1 "${LADDER_ROUNDS:-1}"); do
    for rate in "${rates[@]}"; do
        for server in "${servers[@]}"; do
            read -r name port server_pids <<<"$server"
            run_step "$name" "$port" "$server_pids" "$rate"
        done
    done
done
python3 - "$work/results" <<'PY'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
cpu, steps, knees = {}, {}, {}
for name, rate, ok, failed, us in rows:
    calls = int(ok) + int(failed)
    steps.setdefault(name, {}).setdefault(int(rate), []).append(int(failed) * 1000 < calls)
    if int(failed) * 1000 < calls and float(us) > 0:
        cpu.setdefault(name, []).append(float(us))
for name, by_rate in steps.items():
    # The knee: the highest rate such that every step up to it, in every round, failed under 0.1% of its calls.
    knee = 0
    for rate in sorted(by_rate):
        if not all(by_rate[rate]):
            break
        knee = rate
    knees[name] = knee
median = {name: statistics.median(values) for name, values in cpu.items()}
for name, values in cpu.items():
    print(f"{name}: CPU per call {', '.join(map(str, values))} µs, median {median[name]:.1f} µs; knee {knees[name]} cps")
t, k = median.get("tandem", 0), median.get("kamailio", 0)
print(f"median CPU per call: tandem {t:.1f} µs, kamailio {k:.1f} µs, ratio kamailio/tandem {k / t if t else float('nan'):.2f}")
if "baseline" in median:
    b = median["baseline"]
    print(f"baseline {b:.1f} µs: ratio kamailio/baseline {k / b if b else float('nan'):.2f}, tandem/baseline {t / b if b else float('nan'):.2f}")
PY
