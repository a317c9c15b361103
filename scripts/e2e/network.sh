# Sourced by scripts/e2e.sh and scripts/measure.sh: wait for the network that
# machina-zombienet (pid $launcher) is launching in $work, then set $ws to
# machina-alice's WebSocket endpoint.
wait_for_network() {
  for _ in $(seq 1 900); do
    [ -s "$work/network.json" ] && break
    kill -0 "$launcher" 2>/dev/null || { cat "$work/launcher.log" >&2; exit 1; }
    sleep 1
  done
  [ -s "$work/network.json" ] || { echo "the network was not ready in 15 min" >&2; cat "$work/launcher.log" >&2; exit 1; }
  cat "$work/launcher.log" >&2
  ws="$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).nodes["machina-alice"].ws)' "$work/network.json")"
}
