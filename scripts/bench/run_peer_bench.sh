#!/usr/bin/env bash
# Benchmark a Stripe webhook receiver on 127.0.0.1 with wrk + pre-signed events.
#
# Built-in peers (started and stopped by this script):
#   ./run_peer_bench.sh --peer flask
#   ./run_peer_bench.sh --peer lean --rejects
# Any receiver you start yourself (e.g. the Swift service):
#   ./run_peer_bench.sh --url http://127.0.0.1:8080/webhooks/stripe --secret whsec_... \
#       --name swift [--db /path/events.sqlite | --count-cmd 'cmd printing row count']
# Any receiver this script should start and stop (by PID):
#   ./run_peer_bench.sh --start-cmd './swift-webhooks --port 8080' --port 8080 --name swift \
#       --secret whsec_... --db ./swift.db
#
# Options (defaults in brackets):
#   --peer flask|lean      start built-in peer under gunicorn
#   --start-cmd CMD        start this receiver (env PORT, STRIPE_WEBHOOK_SECRET, WEBHOOK_DB are exported)
#   --url URL              target [http://127.0.0.1:$PORT/webhooks/stripe]; must be http://127.0.0.1
#   --port P               [8001 flask, 8003 lean, 8080 otherwise]
#   --name NAME            label printed as peer=NAME [peer name or 'target']
#   --secret S             whsec_ secret [$STRIPE_WEBHOOK_SECRET, or random for built-in peers]
#   --db PATH              SQLite db with table `events` to count stored rows
#   --table T              table name for --db [events]
#   --count-cmd CMD        shell command that prints the number of stored events (instead of --db)
#   --conns "16 64"        connection levels, one run each
#   --duration 10          seconds per run
#   --warmup 2             warm-up seconds before the first run (not reported; 0 = none)
#   --threads 2            wrk threads
#   --count N              deliveries generated per run [auto: max(20000, 1.5 x warm-up rps x duration)]
#   --dup-rate 0.05        fraction of deliveries that re-send an earlier event id
#   --rejects              also run the 400/no-store correctness check (20 x 3 bad categories)
#   --server-pid PID       (external receivers) attribute this process tree's CPU as server CPU
#   --wait-idle SECS       before each run wait up to SECS (max 200) until whole-machine CPU has been
#                          <= --idle-threshold for 4 s, i.e. no other job is running [120]
#   --idle-threshold PCT   whole-machine busy % regarded as idle [10]
#   --retries N            re-run a level up to N times if other processes used >15% of a core during it [2]
#   --nice N               give the server (built-in/--start-cmd) and wrk priority N, e.g. -10 on a
#                          shared box. With sched_autogroup (default on Debian) plain nice does not
#                          compete across sessions, so each is started under setsid and its
#                          /proc/PID/autogroup nice is set to N as well (negative needs root) [0]
#   --keep                 keep generated .req files (large) in the run dir
#   --outdir DIR           [runs/<name>-<timestamp> at the repository root]
# Env: GUNICORN_ARGS [-w 2 -k sync]; BENCH_VENV [scripts/.venv] (scripts/loadtest creates it)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# meterbridge keeps the harness in scripts/bench, its venv in scripts/.venv and results in runs/ (both gitignored).
VENV="${BENCH_VENV:-$(cd "$HERE/.." && pwd)/.venv}"
PY="${PYTHON:-$VENV/bin/python}"
[[ -x "$PY" ]] || PY=python3
WRK="${WRK:-wrk}"

PEER="" START_CMD="" URL="" PORT="" NAME="" SECRET="${STRIPE_WEBHOOK_SECRET:-}" DB="" TABLE=events
COUNT_CMD="" CONNS="16 64" DURATION=10 WARMUP=2 THREADS=2 COUNT="" DUP=0.05 REJECTS=0 KEEP=0 OUTDIR=""
WAIT_IDLE=120 IDLE_PCT=10 CPU_ROOT="" RETRIES=2 NICE=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --peer) PEER="$2"; shift 2;;
    --start-cmd) START_CMD="$2"; shift 2;;
    --url) URL="$2"; shift 2;;
    --port) PORT="$2"; shift 2;;
    --name) NAME="$2"; shift 2;;
    --secret) SECRET="$2"; shift 2;;
    --db) DB="$2"; shift 2;;
    --table) TABLE="$2"; shift 2;;
    --count-cmd) COUNT_CMD="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;;
    --duration) DURATION="$2"; shift 2;;
    --warmup) WARMUP="$2"; shift 2;;
    --threads) THREADS="$2"; shift 2;;
    --count) COUNT="$2"; shift 2;;
    --dup-rate) DUP="$2"; shift 2;;
    --rejects) REJECTS=1; shift;;
    --keep) KEEP=1; shift;;
    --wait-idle) WAIT_IDLE="$2"; shift 2;;
    --server-pid) CPU_ROOT="$2"; shift 2;;
    --retries) RETRIES="$2"; shift 2;;
    --nice) NICE="$2"; shift 2;;
    --idle-threshold) IDLE_PCT="$2"; shift 2;;
    --outdir) OUTDIR="$2"; shift 2;;
    -h|--help) sed -n '2,42p' "$0"; exit 0;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done

case "$PEER" in
  flask)   PORT="${PORT:-8001}"; NAME="${NAME:-flask}";;
  lean)    PORT="${PORT:-8003}"; NAME="${NAME:-lean}";;
  "")      PORT="${PORT:-8080}"; NAME="${NAME:-target}";;
  *) echo "unknown --peer $PEER (flask|lean)" >&2; exit 2;;
esac
URL="${URL:-http://127.0.0.1:$PORT/webhooks/stripe}"
[[ "$URL" =~ ^http://127\.0\.0\.1(:[0-9]+)?/ ]] || { echo "refusing $URL: only http://127.0.0.1 targets" >&2; exit 2; }
if [[ "$URL" =~ ^http://127\.0\.0\.1:([0-9]+)/ ]]; then PORT="${BASH_REMATCH[1]}"; fi
if [[ -z "$SECRET" ]]; then
  if [[ -n "$PEER" ]]; then SECRET="whsec_$("$PY" -c 'import secrets;print(secrets.token_urlsafe(24))')"
  else echo "--secret (or STRIPE_WEBHOOK_SECRET) is required for external receivers" >&2; exit 2; fi
fi
OUTDIR="${OUTDIR:-$(cd "$HERE/../.." && pwd)/runs/$NAME-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUTDIR"
if [[ -n "$PEER" && -z "$DB" ]]; then DB="$OUTDIR/events.db"; fi
[[ -n "$PEER" ]] && rm -f "$DB" "$DB-wal" "$DB-shm"

count_stored() { # prints the stored count, n/a (no hook) or ERR (hook failed; see count.err)
  local v
  if [[ -n "$COUNT_CMD" ]]; then v="$("$PY" "$HERE/bench_util.py" count --count-cmd "$COUNT_CMD" 2>>"$OUTDIR/count.err")" || v=ERR
  elif [[ -n "$DB" ]]; then v="$("$PY" "$HERE/bench_util.py" count --db "$DB" --table "$TABLE" 2>>"$OUTDIR/count.err")" || v=ERR
  else v=n/a; fi
  [[ "$v" == ERR ]] && echo "# stored-count hook failed (see $OUTDIR/count.err)" >&2
  echo "$v"
}
# wait until the stored count stops changing (in-flight requests drain), max ~15 s
settled_count() {
  local prev cur i
  prev="$(count_stored)"
  [[ "$prev" == n/a || "$prev" == ERR ]] && { echo "$prev"; return; }
  for i in $(seq 1 15); do
    sleep 1; cur="$(count_stored)"
    [[ "$cur" == "$prev" ]] && break
    prev="$cur"
  done
  echo "$prev"
}

# ---------------------------------------------------------------- server lifecycle
SERVER_PID=""
descendants() { local p c; for p in "$@"; do for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do echo "$c"; descendants "$c"; done; done; }
stop_server() {
  [[ -z "$SERVER_PID" ]] && return 0
  local kids; kids="$(descendants "$SERVER_PID" | tr '\n' ' ')"
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  for k in $kids; do   # workers normally exit with the master; give them 5 s, then KILL by PID
    for _ in $(seq 1 25); do kill -0 "$k" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$k" 2>/dev/null && kill -KILL "$k" 2>/dev/null || true
  done
  echo "# stopped server pid $SERVER_PID (children: ${kids:-none})" >&2
  SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

export STRIPE_WEBHOOK_SECRET="$SECRET" WEBHOOK_DB="$DB" PORT
LAUNCH=""
[[ "$NICE" != 0 ]] && LAUNCH="setsid nice -n $NICE"
boost() { # $1=pid: raise the autogroup (session) priority too; see --nice
  [[ "$NICE" == 0 ]] && return 0
  { echo "$NICE" >"/proc/$1/autogroup"; } 2>/dev/null || echo "# could not set autogroup nice for $1" >&2
}
if [[ -n "$PEER" || -n "$START_CMD" ]]; then
  cd "$HERE"
  case "$PEER" in
    flask)   # 2 cores: 2 sync workers measured best (README compares 2/4/5 sync, gthread)
      # shellcheck disable=SC2086
      $LAUNCH "$VENV/bin/gunicorn" ${GUNICORN_ARGS:--w 2 -k sync} --backlog 2048 \
        -b "127.0.0.1:$PORT" peer_flask:app >"$OUTDIR/server.log" 2>&1 &
      ;;
    lean)    # plain WSGI + verify_header + json.loads + SQLite commit
      # shellcheck disable=SC2086
      $LAUNCH "$VENV/bin/gunicorn" ${GUNICORN_ARGS:--w 2 -k sync} --backlog 2048 \
        -b "127.0.0.1:$PORT" peer_lean:app >"$OUTDIR/server.log" 2>&1 &
      ;;
    *) $LAUNCH bash -c "exec $START_CMD" >"$OUTDIR/server.log" 2>&1 & ;;
  esac
  SERVER_PID=$!
  boost "$SERVER_PID"
  echo "# started server pid $SERVER_PID on 127.0.0.1:$PORT (log $OUTDIR/server.log)" >&2
  "$PY" "$HERE/bench_util.py" wait-port --port "$PORT" --timeout 30 || { tail -20 "$OUTDIR/server.log" >&2; exit 1; }
  sleep 1
fi

# ---------------------------------------------------------------- runs
run_load() { # $1=conns $2=seconds $3=req-file $4=wrk-out ; wall time bounded by timeout(1)
  local tpid wpid="" i
  timeout -k 5 $(( $2 + 60 )) $LAUNCH "$WRK" -t"$THREADS" -c"$1" -d"$2"s --timeout 30s --latency \
    -s "$HERE/wrk_post.lua" "$URL" -- "$3" "$THREADS" >"$4" 2>&1 &
  tpid=$!
  if [[ "$NICE" != 0 ]]; then
    for i in $(seq 1 100); do
      wpid="$(ps -o pid= --ppid "$tpid" | head -1 | tr -d ' ')"; [[ -n "$wpid" ]] && break; sleep 0.02
    done
    [[ -n "$wpid" ]] && boost "$wpid"
  fi
  wait "$tpid" || { echo "wrk failed:" >&2; tail -5 "$4" >&2; }
}
gen() { # $1=count $2=file
  "$PY" "$HERE/gen_events.py" --count "$1" --secret "$SECRET" --dup-rate "$DUP" --out "$2" 2>>"$OUTDIR/gen.log"
}

AUTO_COUNT=20000
if [[ "$WARMUP" != 0 ]]; then
  first_c="${CONNS%% *}"
  gen 5000 "$OUTDIR/warmup.req"
  run_load "$first_c" "$WARMUP" "$OUTDIR/warmup.req" "$OUTDIR/wrk-warmup.txt"
  wrps="$(grep -o 'rps=[0-9.]*' "$OUTDIR/wrk-warmup.txt" | head -1 | cut -d= -f2)"
  echo "# warm-up: ${wrps:-?} req/s at $first_c conns (not reported)" >&2
  [[ -n "$wrps" ]] && AUTO_COUNT="$("$PY" -c "import math;print(min(300000,max(20000,math.ceil(float('$wrps')*$DURATION*1.5))))")"
  [[ "$KEEP" == 1 ]] || rm -f "$OUTDIR/warmup.req"
fi
COUNT="${COUNT:-$AUTO_COUNT}"

times_ms() { # parse the children line of a saved `times` output
  tail -n1 "$1" | awk '{split($1,a,/[ms]/); split($2,b,/[ms]/); printf "%d\n", (a[1]*60+a[2]+b[1]*60+b[2])*1000}'
}

RC=0
for c in $CONNS; do
 for attempt in $(seq 0 "$RETRIES"); do
  req="$OUTDIR/events-c$c.req"
  gen "$COUNT" "$req"                                   # fresh ids + fresh signatures right before the run
  sleep 1; before="$(settled_count)"
  # signatures expire after 300 s, so never wait longer than ~200 s after generating
  [[ "$WAIT_IDLE" != 0 ]] && { "$PY" "$HERE/bench_util.py" wait-idle --threshold "$IDLE_PCT" \
      --timeout "$(( WAIT_IDLE < 200 ? WAIT_IDLE : 200 ))" || true; }
  cpu0="$("$PY" "$HERE/bench_util.py" cpusnap --root "${CPU_ROOT:-${SERVER_PID:-0}}")"
  times >"$OUTDIR/.times0"                              # builtin, no fork: children CPU so far
  run_load "$c" "$DURATION" "$req" "$OUTDIR/wrk-c$c.txt"
  times >"$OUTDIR/.times1"
  cpu1="$("$PY" "$HERE/bench_util.py" cpusnap --root "${CPU_ROOT:-${SERVER_PID:-0}}")"
  wrk_ms=$(( $(times_ms "$OUTDIR/.times1") - $(times_ms "$OUTDIR/.times0") ))
  after="$(settled_count)"
  args=(--req "$req" --wrk-out "$OUTDIR/wrk-c$c.txt" --threads "$THREADS" --name "$NAME" --conns "$c"
        --json-out "$OUTDIR/results.jsonl" --cpu-before "$cpu0" --cpu-after "$cpu1" --wrk-cpu-ms "$wrk_ms")
  [[ "$before" != n/a ]] && args+=(--before "$before" --after "$after")
  src=0; line="$("$PY" "$HERE/bench_util.py" summarize "${args[@]}")" || src=$?
  [[ "$KEEP" == 1 ]] || rm -f "$req"
  if [[ $src == 3 && $attempt -lt $RETRIES ]]; then
    echo "# discarded (background CPU contention), retrying: $line" >&2
    echo "DISCARDED $line" >>"$OUTDIR/summary.txt"
    continue
  fi
  echo "$line" | tee -a "$OUTDIR/summary.txt"
  [[ $src == 0 || $src == 3 ]] || RC=1
  grep '^WRK_SAMPLE' "$OUTDIR/wrk-c$c.txt" >&2 || true
  break
 done
done

if [[ "$REJECTS" == 1 ]]; then
  rargs=(--url "$URL" --secret "$SECRET" --n 20)
  if [[ -n "$COUNT_CMD" ]]; then rargs+=(--count-cmd "$COUNT_CMD"); elif [[ -n "$DB" ]]; then rargs+=(--db "$DB" --table "$TABLE"); fi
  "$PY" "$HERE/bench_util.py" rejects "${rargs[@]}" | sed "s/^/peer=$NAME /" | tee -a "$OUTDIR/summary.txt" || RC=1
fi
echo "# results in $OUTDIR" >&2
exit $RC
