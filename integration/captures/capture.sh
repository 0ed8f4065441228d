#!/usr/bin/env bash
# Capture the raw BGP messages that FRR, BIRD, GoBGP and ExaBGP send in a real
# session, as test vectors for the codec.
#
#   bash integration/captures/capture.sh [OUTDIR]    (as root)
#
# Each run creates two network namespaces joined by a veth pair: the router's
# (192.0.2.1/24, 2001:db8:1::1/64) and the recorder's (192.0.2.2/24,
# 2001:db8:1::2/64). For every router and scenario, recorder.py listens on
# port 179, the router connects to it, and the recorder writes what the router
# sent to OUTDIR/<router>-<scenario>.json. Traffic never leaves the two
# namespaces; everything the run starts is stopped and both namespaces are
# deleted on exit, also on failure.
#
# Environment: ROUTERS="frr bird gobgp exabgp" and SCENARIOS="..." narrow a
# run; KEEP_WORK=1 keeps the temp dir (configs, router logs) for debugging.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "capture.sh: must run as root (it creates network namespaces and starts routers in them)" >&2
	exit 1
fi

OUTDIR=${1:-$REPO/test/fixtures/captures}
ROUTERS=${ROUTERS:-"frr bird gobgp exabgp"}
SCENARIOS=${SCENARIOS:-"ipv4-session-4octet ipv4-session-2octet ipv6-session ipv4-refresh-shutdown"}
PYTHON=$(command -v python3)

ROUTER_V4=192.0.2.1
RECORDER_V4=192.0.2.2
ROUTER_V6=2001:db8:1::1
RECORDER_V6=2001:db8:1::2
RECORDER_TIMEOUT=30       # seconds from accept to giving up on End-of-RIB
ACCEPT_TIMEOUT=30         # seconds for the router to connect
GOBGP_API_PORT=50151      # inside the router namespace only

NS_ROUTER=capr-$$
NS_RECORDER=capc-$$
WORK=$(mktemp -d /tmp/vip-capture.XXXXXX)
chmod 755 "$WORK"   # FRR drops to the frr user and must reach its folder
RECORDER_PID=
CREATED_NAMESPACES=()   # only these are deleted on exit
ROUTER_DIR=   # per capture: the router's config, pid files and logs
FAILED=()

log() { echo "capture: $*" >&2; }

# Stop a process we started: TERM, up to 5 s, then KILL.
stop_pid() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

stop_pid_file() {
	[ -s "$1" ] && stop_pid "$(cat "$1")"
	rm -f "$1"
}

cleanup() {
	local status=$?
	set +e
	stop_pid "$RECORDER_PID"
	for pid_file in "$WORK"/*/*.pid; do
		[ -e "$pid_file" ] && stop_pid_file "$pid_file"
	done
	# Anything still inside the namespaces this run created was started by it.
	for ns in "${CREATED_NAMESPACES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			stop_pid "$pid"
		done
		ip netns del "$ns" 2>/dev/null
		[ "$ns" = "$NS_ROUTER" ] && rm -rf "/var/run/frr/$NS_ROUTER"   # FRR's -N pathspace folder
	done
	if [ "${KEEP_WORK:-0}" = 1 ] || [ "$status" -ne 0 ]; then
		log "work dir kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

in_router() { ip netns exec "$NS_ROUTER" "$@"; }
in_recorder() { ip netns exec "$NS_RECORDER" "$@"; }

# Fill a template: render TEMPLATE OUTPUT KEY=VALUE...  (@KEY@ -> VALUE)
render() {
	local template=$1 output=$2 expressions=()
	shift 2
	for pair in "$@"; do
		expressions+=(-e "s|@${pair%%=*}@|${pair#*=}|g")
	done
	sed "${expressions[@]}" "$template" >"$output"
	if grep -q '@[A-Z0-9_]*@' "$output"; then
		log "unfilled placeholder in $output"
		return 1
	fi
}

setup_network() {
	for ns in "$NS_ROUTER" "$NS_RECORDER"; do
		if ip netns list | grep -qw "^$ns"; then
			log "namespace $ns already exists (left by another run?); not touching it"
			return 1
		fi
		ip netns add "$ns"
		CREATED_NAMESPACES+=("$ns")
	done
	for ns in "$NS_ROUTER" "$NS_RECORDER"; do
		# No duplicate address detection, so the IPv6 addresses work at once.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
		ip -n "$ns" link set lo up
	done
	# Fixed MAC addresses give fixed link-local addresses (fe80::ff:fe00:1),
	# so the link-local next hops in the fixtures are the same on every run.
	ip -n "$NS_ROUTER" link add veth0 address 02:00:00:00:00:01 type veth \
		peer name veth0 netns "$NS_RECORDER" address 02:00:00:00:00:02
	ip -n "$NS_ROUTER" addr add "$ROUTER_V4/24" dev veth0
	ip -n "$NS_ROUTER" addr add "$ROUTER_V6/64" dev veth0 nodad
	ip -n "$NS_RECORDER" addr add "$RECORDER_V4/24" dev veth0
	ip -n "$NS_RECORDER" addr add "$RECORDER_V6/64" dev veth0 nodad
	ip -n "$NS_ROUTER" link set veth0 up
	ip -n "$NS_RECORDER" link set veth0 up
	for _ in $(seq 50); do   # wait for the link-local address (no DAD, but the link must be up)
		ip -n "$NS_ROUTER" -6 addr show dev veth0 scope link | grep -q fe80 && return 0
		sleep 0.1
	done
	log "no link-local address on the router's veth0"
	return 1
}

# wait_for TRIES COMMAND...: run COMMAND every 0.1 s until it succeeds, at most TRIES times.
wait_for() {
	local tries=$1
	shift
	for _ in $(seq "$tries"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

router_namespace_empty() { [ -z "$(ip netns pids "$NS_ROUTER")" ]; }

# The recorder has settled the session (ready file), or has exited.
ready_or_gone() { [ -e "$1" ] || ! kill -0 "$2" 2>/dev/null; }

# --- FRR ---------------------------------------------------------------------

frr_version() { /usr/lib/frr/bgpd --version | sed -n 's/^bgpd version //p'; }

frr_start() {
	local neighbor=$1 dir=$ROUTER_DIR
	mkdir -p "$dir"
	render "$HERE/frr.conf" "$dir/bgpd.conf" NEIGHBOR="$neighbor" LOG="$dir/bgpd.log"
	printf 'hostname capture-frr\nlog file %s informational\n' "$dir/zebra.log" >"$dir/zebra.conf"
	mkdir -p "/var/run/frr/$NS_ROUTER"
	chown -R frr:frr "$dir" "/var/run/frr/$NS_ROUTER"
	in_router /usr/lib/frr/zebra -d -N "$NS_ROUTER" -f "$dir/zebra.conf" -i "$dir/zebra.pid" \
		-z "$dir/zserv.api" --vty_socket "$dir" >>"$dir/stderr.log" 2>&1
	wait_for 50 test -S "$dir/zserv.api"
	in_router /usr/lib/frr/bgpd -d -N "$NS_ROUTER" -f "$dir/bgpd.conf" -i "$dir/bgpd.pid" \
		-z "$dir/zserv.api" --vty_socket "$dir" >>"$dir/stderr.log" 2>&1
	wait_for 50 test -s "$dir/bgpd.pid"
}

frr_vtysh() { in_router vtysh --vty_socket "$ROUTER_DIR" "$@"; }

frr_trigger() {
	local neighbor=$1
	frr_vtysh -c "clear bgp ipv4 unicast $neighbor soft in"
	frr_vtysh -c "clear bgp ipv6 unicast $neighbor soft in"
	sleep 2
	frr_vtysh -c "configure terminal" -c "router bgp 4200000001" \
		-c "neighbor $neighbor shutdown message capture complete"
}

frr_stop() {
	stop_pid_file "$ROUTER_DIR/bgpd.pid"
	stop_pid_file "$ROUTER_DIR/zebra.pid"
	rm -rf "/var/run/frr/$NS_ROUTER"
}

FRR_ROUTES="IPv4 /32s 192.0.2.10-12 and 198.51.100.0/24, an aggregate 192.0.2.0/24 (AGGREGATOR, ATOMIC_AGGREGATE), IPv6 /128s 2001:db8:100::10-11, an aggregate 2001:db8:100::/48 and 2001:db8:200::/48 over MP-BGP with a global and a link-local next hop; standard communities (no-export and blackhole among them), large communities, route-target extended communities, MED, origin incomplete, an AS_PATH prepended with 4200000001; graceful restart"

# --- BIRD --------------------------------------------------------------------

bird_version() { bird --version 2>&1 | sed -n 's/^BIRD version //p'; }

bird_start() {
	local neighbor=$1 dir=$ROUTER_DIR ipv4_next_hop="" ipv6_next_hop=""
	mkdir -p "$dir"
	# A channel of the other family than the session needs its next hop spelled out.
	case $neighbor in
	*:*) ipv4_next_hop="next hop address $ROUTER_V4;" ;;
	*) ipv6_next_hop="next hop address $ROUTER_V6;" ;;
	esac
	render "$HERE/bird.conf" "$dir/bird.conf" NEIGHBOR="$neighbor" LOG="$dir/bird.log" \
		IPV4_NEXT_HOP="$ipv4_next_hop" IPV6_NEXT_HOP="$ipv6_next_hop"
	in_router bird -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid" >>"$dir/stderr.log" 2>&1
	wait_for 50 test -s "$dir/bird.pid"
}

bird_trigger() {
	local ctl=$ROUTER_DIR/bird.ctl
	in_router birdc -s "$ctl" reload in recorder
	sleep 2
	in_router birdc -s "$ctl" disable recorder '"capture complete"'
}

bird_stop() {
	stop_pid_file "$ROUTER_DIR/bird.pid"
}

BIRD_ROUTES="IPv4 /32s 192.0.2.10-12 and 198.51.100.0/24, IPv6 /128s 2001:db8:100::10-11 and 2001:db8:200::/48 over MP-BGP; standard communities (no-export among them), large communities, route-target extended communities with 2- and 4-octet ASNs, MED, origin incomplete, an AS_PATH prepended with 4200000001; graceful restart, extended messages"

# --- GoBGP -------------------------------------------------------------------

gobgp_version() { gobgpd --version | sed -n 's/^gobgpd version //p'; }

gobgp() { in_router gobgp -p "$GOBGP_API_PORT" "$@"; }

gobgp_start() {
	local neighbor=$1 dir=$ROUTER_DIR
	mkdir -p "$dir"
	render "$HERE/gobgpd.toml" "$dir/gobgpd.toml" NEIGHBOR="$neighbor"
	# Own UTS namespace: gobgpd sends the host name in its FQDN capability,
	# and the fixtures should not depend on the machine they were made on.
	# Not through in_router: a backgrounded function is a subshell, and $! must be gobgpd itself.
	ip netns exec "$NS_ROUTER" unshare --uts sh -c "hostname capture-gobgp && exec gobgpd -f '$dir/gobgpd.toml' -t toml \
		--api-hosts 127.0.0.1:$GOBGP_API_PORT" >"$dir/gobgpd.log" 2>&1 &
	echo $! >"$dir/gobgpd.pid"
	wait_for 100 gobgp neighbor "$neighbor"   # the API answers before the config is loaded
	gobgp global rib add -a ipv4 192.0.2.10/32 origin igp med 10 \
		community 65001:100,no-export large-community 4200000001:1:2
	gobgp global rib add -a ipv4 192.0.2.11/32 origin igp med 20 community 65001:200,65001:201 \
		large-community 4200000001:1:3,4200000001:1:4 rt 65001:1 aigp metric 100
	gobgp global rib add -a ipv4 192.0.2.12/32 origin egp aggregator 4200000001:192.0.2.1
	gobgp global rib add -a ipv4 198.51.100.0/24 origin incomplete aspath 4200000001 med 30 \
		community 65001:300,blackhole
	gobgp global rib add -a ipv6 2001:db8:100::10/128 origin igp med 10 \
		community 65001:100,no-export large-community 4200000001:1:2
	gobgp global rib add -a ipv6 2001:db8:100::11/128 origin igp med 20 community 65001:200 rt 65001:1
	gobgp global rib add -a ipv6 2001:db8:200::/48 origin igp aspath 4200000001 \
		large-community 4200000001:2:1
	gobgp neighbor "$neighbor" enable
}

gobgp_trigger() {
	local neighbor=$1
	gobgp neighbor "$neighbor" softresetin -a ipv4
	gobgp neighbor "$neighbor" softresetin -a ipv6
	sleep 2
	# "shutdown" (deprecated) carries the reason as a shutdown communication; "disable" does not.
	gobgp neighbor "$neighbor" shutdown --reason "capture complete"
}

gobgp_stop() {
	stop_pid_file "$ROUTER_DIR/gobgpd.pid"
}

GOBGP_ROUTES="IPv4 /32s 192.0.2.10-12 and 198.51.100.0/24, IPv6 /128s 2001:db8:100::10-11 and 2001:db8:200::/48 over MP-BGP; standard communities (no-export and blackhole among them), large communities, route-target extended communities, AIGP, an AGGREGATOR, MED, all three origins, an AS_PATH prepended with 4200000001; graceful restart"

# --- ExaBGP ------------------------------------------------------------------

exabgp_version() { exabgp --version 2>&1 | sed -n 's/^ExaBGP : //p'; }

# The API helper ExaBGP runs: it lives as long as ExaBGP does and, when the
# scenario asks for it, sends commands once the recorder's ready file appears.
# No "teardown": with graceful restart negotiated ExaBGP closes the session
# without a NOTIFICATION; the recorder lets its hold timer expire instead.
exabgp_helper() {
	local ready=$1 neighbor=$2
	cat <<-EOF
		#!/bin/sh
		cat <&0 >/dev/null &
		if [ -n "$ready" ]; then
		    for _ in \$(seq 300); do [ -e "$ready" ] && break; sleep 0.1; done
		    if [ -e "$ready" ]; then
		        echo "neighbor $neighbor announce route-refresh ipv4 unicast"
		        echo "neighbor $neighbor announce route-refresh ipv6 unicast"
		    fi
		fi
		while kill -0 \$PPID 2>/dev/null; do sleep 0.5; done
	EOF
}

exabgp_start() {
	local neighbor=$1 ready=${2:-} dir=$ROUTER_DIR local_address=$ROUTER_V4
	mkdir -p "$dir"
	case $neighbor in *:*) local_address=$ROUTER_V6 ;; esac
	exabgp_helper "$ready" "$neighbor" >"$dir/helper.sh"
	chmod 755 "$dir/helper.sh"
	render "$HERE/exabgp.conf" "$dir/exabgp.conf" NEIGHBOR="$neighbor" LOCAL="$local_address" \
		TRIGGER="$dir/helper.sh"
	env exabgp.daemon.user=root exabgp.daemon.daemonize=false \
		exabgp.log.destination="$dir/exabgp.log" exabgp.api.cli=false exabgp.api.respawn=false \
		exabgp.tcp.bind= \
		ip netns exec "$NS_ROUTER" exabgp "$dir/exabgp.conf" >"$dir/stdout.log" 2>&1 &
	echo $! >"$dir/exabgp.pid"   # ip netns exec and env exec, so this is ExaBGP itself
}

exabgp_trigger() { :; }   # the helper script does it from inside ExaBGP

exabgp_stop() {
	stop_pid_file "$ROUTER_DIR/exabgp.pid"
}

EXABGP_ROUTES="IPv4 /32s 192.0.2.10-13 and 198.51.100.0/24, IPv6 /128s 2001:db8:100::10-12 and 2001:db8:200::/48 over MP-BGP; all three origins, an AS_PATH with an AS_SET, MED, standard communities (no-export, no-advertise, blackhole), large communities, extended communities (2- and 4-octet-AS route targets, IPv4 route origin), ATOMIC_AGGREGATE with AGGREGATOR, ORIGINATOR_ID, CLUSTER_LIST and two unknown optional transitive attributes (one with the Partial bit); graceful restart, extended messages"

# --- scenarios -------------------------------------------------------------

router_label() {
	case $1 in frr) echo FRR ;; bird) echo BIRD ;; gobgp) echo GoBGP ;; exabgp) echo ExaBGP ;; esac
}

router_routes() {
	case $1 in
	frr) echo "$FRR_ROUTES" ;; bird) echo "$BIRD_ROUTES" ;;
	gobgp) echo "$GOBGP_ROUTES" ;; exabgp) echo "$EXABGP_ROUTES" ;;
	esac
}

capture() {
	local router=$1 scenario=$2 label routes neighbor description ready="" flags=()
	label=$(router_label "$router")
	routes=$(router_routes "$router")
	case $scenario in
	ipv4-session-4octet)
		neighbor=$RECORDER_V4
		description="$label AS 4200000001 peering over IPv4 with a 4-octet-AS-capable recorder (AS 65001); announces $routes"
		;;
	ipv4-session-2octet)
		neighbor=$RECORDER_V4
		flags+=(--no-four-octet-as)
		description="$label AS 4200000001 peering over IPv4 with a recorder (AS 65001) that does not advertise the 4-octet AS capability, so the router uses AS_TRANS 23456 with AS4_PATH/AS4_AGGREGATOR; announces $routes"
		;;
	ipv6-session)
		neighbor=$RECORDER_V6
		flags+=(--extended-message)
		description="$label AS 4200000001 peering over IPv6 (2001:db8:1::1 to 2001:db8:1::2, shared link) with a recorder (AS 65001) advertising 4-octet AS and extended messages; announces $routes"
		;;
	ipv4-refresh-shutdown)
		neighbor=$RECORDER_V4
		ready=$WORK/$router-$scenario/ready
		flags+=(--ready-file "$ready")
		description="$label as in ipv4-session-4octet, then:"
		if [ "$router" = exabgp ]; then
			# ExaBGP 4.2.21 crashes answering a ROUTE-REFRESH once enhanced route
			# refresh is negotiated (TypeError in its BoRR path) and drops the TCP
			# connection without a NOTIFICATION, so it is not asked for one. Its
			# teardown is silent under graceful restart, so its NOTIFICATION comes
			# from its hold timer: hold time 3 s, and the recorder stops KEEPALIVEs.
			flags+=(--hold-time 3 --silent-when-ready)
			description+=" (with a 3 s hold time) ExaBGP sends ROUTE-REFRESH requests for both families, the recorder stops sending KEEPALIVEs and ExaBGP sends a Hold Timer Expired NOTIFICATION. The recorder does not ask ExaBGP for a ROUTE-REFRESH: 4.2.21 drops the session answering one when enhanced route refresh is negotiated"
		else
			flags+=(--refresh)
			description+=" the recorder asks for a ROUTE-REFRESH of both families and the router sends its routes again (between enhanced route refresh BoRR/EoRR markers where negotiated); the router is made to send its own ROUTE-REFRESH requests where it can and finally a Cease/Administrative Shutdown NOTIFICATION with a shutdown communication"
		fi
		;;
	*)
		log "unknown scenario $scenario"
		return 1
		;;
	esac
	ROUTER_DIR=$WORK/$router-$scenario
	mkdir -p "$ROUTER_DIR"
	local output=$OUTDIR/$router-$scenario.json recorder_log=$ROUTER_DIR/recorder.log
	log "$router $scenario: starting"

	in_recorder "$PYTHON" "$HERE/recorder.py" --listen "$neighbor" --router-id "$RECORDER_V4" \
		--timeout "$RECORDER_TIMEOUT" --accept-timeout "$ACCEPT_TIMEOUT" "${flags[@]}" \
		--router "$router" --version "$("${router}_version")" --scenario "$scenario" \
		--description "$description" --output "$output.tmp" 2>"$recorder_log" &
	RECORDER_PID=$!
	if ! wait_for 50 grep -q '^recorder: listening' "$recorder_log"; then
		log "$router $scenario: recorder did not start"; cat "$recorder_log" >&2
		return 1
	fi

	"${router}_start" "$neighbor" "$ready"

	if [ -n "$ready" ]; then
		if wait_for $((10 * (ACCEPT_TIMEOUT + RECORDER_TIMEOUT))) ready_or_gone "$ready" "$RECORDER_PID" &&
			[ -e "$ready" ]; then
			log "$router $scenario: session settled, triggering ROUTE-REFRESH and shutdown"
			"${router}_trigger" "$neighbor" >>"$ROUTER_DIR/trigger.log" 2>&1 ||
				log "$router $scenario: trigger command failed (see $ROUTER_DIR/trigger.log)"
		fi
	fi

	local status=0
	wait "$RECORDER_PID" || status=$?
	RECORDER_PID=
	"${router}_stop"
	# Nothing may outlive its scenario; helpers get a moment to notice their parent is gone.
	wait_for 20 router_namespace_empty || true
	for pid in $(ip netns pids "$NS_ROUTER"); do
		log "$router $scenario: stopping leftover process $pid ($(cat "/proc/$pid/comm" 2>/dev/null))"
		stop_pid "$pid"
	done
	sed "s/^/  /" "$recorder_log" | grep -E 'router-open|end-of-rib|route-refresh|notification|timeout|written|closed' >&2 || true
	if [ "$status" -ne 0 ] || [ ! -s "$output.tmp" ]; then
		log "$router $scenario: no capture (recorder exit $status)"
		rm -f "$output.tmp"
		return 1
	fi
	if ! check_fixture "$output.tmp"; then
		rm -f "$output.tmp"
		return 1
	fi
	mv "$output.tmp" "$output"
	log "$router $scenario: wrote $output"
}

# Every message is one whole BGP message (marker, header length = byte
# length, known type), the first is an OPEN, and the hex is lowercase.
check_fixture() {
	"$PYTHON" - "$1" <<-'EOF'
		import json, sys
		path = sys.argv[1]
		fixture = json.load(open(path))
		for key in ("router", "version", "scenario", "description", "context", "messages"):
		    assert key in fixture, f"{path}: no {key}"
		limit = 65535 if fixture["context"]["extendedMessage"] else 4096
		messages = fixture["messages"]
		assert messages, f"{path}: no messages"
		for index, text in enumerate(messages):
		    assert text == text.lower(), f"{path}: message {index} is not lowercase hex"
		    data = bytes.fromhex(text)
		    assert data[:16] == b"\xff" * 16, f"{path}: message {index} has a bad marker"
		    length = int.from_bytes(data[16:18], "big")
		    assert length == len(data) and 19 <= length <= limit, f"{path}: message {index} length {length} vs {len(data)} bytes"
		    assert data[18] in (1, 2, 3, 4, 5), f"{path}: message {index} has type {data[18]}"
		assert bytes.fromhex(messages[0])[18] == 1, f"{path}: first message is not an OPEN"
		assert sum(1 for text in messages if bytes.fromhex(text)[18] == 4) <= 1, f"{path}: duplicate KEEPALIVEs"
	EOF
}

mkdir -p "$OUTDIR"
setup_network
for router in $ROUTERS; do
	for scenario in $SCENARIOS; do
		capture "$router" "$scenario" || FAILED+=("$router-$scenario")
	done
done

if [ "${#FAILED[@]}" -gt 0 ]; then
	log "not captured: ${FAILED[*]}"
	exit 1
fi
log "done: $(echo "$ROUTERS" | wc -w) routers x $(echo "$SCENARIOS" | wc -w) scenarios in $OUTDIR"
