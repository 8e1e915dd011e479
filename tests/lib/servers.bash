# servers.bash: start and stop real servers for the test suite
# shellcheck shell=bash
#
# Source this file (from bats: `load ../lib/servers`).  Each server listens
# on a free loopback port picked at run time, keeps all of its state under
# the STATE_DIR it is given, and is stopped by the PIDs recorded there, so
# two runs never meet.  A start function returns only once the server
# answers; when it cannot start it prints the server's logs to stderr,
# stops whatever it had started, and returns non-zero.
#
#   start_lighttpd BUILDDIR CONFIG STATE_DIR    stop_lighttpd STATE_DIR
#       lighttpd from httpd-conf/lighttpd.conf; lighttpd starts the programs
#       of BUILDDIR/cgi-bin itself, with BERTH_CONFIG=CONFIG.
#   start_apache BUILDDIR CONFIG STATE_DIR      stop_apache STATE_DIR
#       Apache 2.4 from httpd-conf/apache.conf with mod_proxy_fcgi, the
#       programs run by spawn-fcgi (+ multiwatch when installed), under its
#       own ServerRoot in STATE_DIR (not the system's instance).  With
#       BERTH_APACHE_VARIANT=fcgid, the mod_fcgid variant instead: Apache
#       runs the programs itself, as Apache's user (www-data when started
#       as root), which then needs access to the config and the storage.
#   start_dockerd STATE_DIR                     stop_dockerd STATE_DIR
#       a private dockerd; sets DOCKER_HOST and DOCKER_CONFIG.
#
# BERTH_LISTEN_PORT=N makes the web-server starters listen on port N (one
# attempt, no retry) instead of a random free port (./quickstart serve).
#
# The web-server starters export BERTH_URL (http://127.0.0.1:PORT),
# BERTH_HOSTPORT (127.0.0.1:PORT), BERTH_PORT and BERTH_SERVER_STATE.
# With BERTH_TLS=1 in the environment they keep the shipped TLS listener
# too, on a second free port, with a throw-away CA, server certificate and
# client certificate made in STATE_DIR/tls, and export BERTH_TLS_URL
# (https://127.0.0.1:PORT), BERTH_TLS_HOSTPORT, BERTH_TLS_CA (trust this),
# BERTH_TLS_CLIENT_CERT and BERTH_TLS_CLIENT_KEY (CN "berth-client").
#
# The server configs are generated from the shipped templates by filling in
# their @PLACEHOLDERS@ (and deleting the TLS block unless BERTH_TLS=1), so
# the tests exercise the files users install.

BERTH_SERVERS_SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BERTH_APACHE_MODULES=${BERTH_APACHE_MODULES:-/usr/lib/apache2/modules}
BERTH_FCGI_PROGRAMS=${BERTH_FCGI_PROGRAMS:-"berth-blobs berth-manifests berth-catalog berth-token"}

_srv_err() {
	printf 'servers.bash: %s\n' "$*" >&2
}

# berth_free_port: print a TCP port that nobody listens on at 127.0.0.1.
# Ports come from 20000-32767, below Linux's ephemeral range, so that
# outgoing connections do not take them between this check and the
# server's bind; the starters retry with another port if that still happens.
berth_free_port() {
	local i port
	for ((i = 0; i < 50; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
		if _srv_port_free "$port"; then
			printf '%s\n' "$port"
			return 0
		fi
	done
	_srv_err "no free port found"
	return 1
}

# True if 127.0.0.1:PORT can be bound (nobody listens there).
_srv_port_free() {
	perl -MIO::Socket::INET -e 'IO::Socket::INET->new(Listen => 1,
		LocalAddr => "127.0.0.1", LocalPort => $ARGV[0], ReuseAddr => 1,
		Proto => "tcp") or exit 1' "$1" 2>/dev/null
}

# The port to listen on: BERTH_LISTEN_PORT if set, else a free one.
_srv_pick_port() {
	if [ -n "${BERTH_LISTEN_PORT:-}" ]; then
		if ! _srv_port_free "$BERTH_LISTEN_PORT"; then
			_srv_err "127.0.0.1:$BERTH_LISTEN_PORT is in use"
			return 1
		fi
		printf '%s\n' "$BERTH_LISTEN_PORT"
	else
		berth_free_port
	fi
}

# A free port other than PORT (the TLS listener's).
_srv_other_port() {
	local p
	while p=$(berth_free_port); do
		[ "$p" != "$1" ] && { printf '%s\n' "$p"; return 0; }
	done
	return 1
}

# True if PID is a live process (zombies count as dead).
_srv_alive() {
	local stat
	[ -n "$1" ] || return 1
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[ "${stat%% *}" != Z ]
}

# Print the PIDs of all descendants of PID (read from /proc).
_srv_descendants() {
	local -a queue=("$1")
	local p stat ppid f
	local -A kids=()
	for f in /proc/[0-9]*/stat; do
		read -r stat 2>/dev/null <"$f" || continue
		p=${f#/proc/}
		p=${p%/stat}
		stat=${stat##*) }
		stat=${stat#* }
		ppid=${stat%% *}
		kids[$ppid]+="$p "
	done
	while [ ${#queue[@]} -gt 0 ]; do
		p=${queue[0]}
		queue=("${queue[@]:1}")
		for f in ${kids[$p]:-}; do
			printf '%s\n' "$f"
			queue+=("$f")
		done
	done
}

# _srv_kill PID [SECONDS]: SIGTERM PID, wait for it (and reap it when it is
# our child), SIGKILL it and any descendant it leaves behind.
_srv_kill() {
	local pid=$1 secs=${2:-10} i d start
	local -a desc
	local -A born=()
	_srv_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
	mapfile -t desc < <(_srv_descendants "$pid")
	# PIDs are reused quickly on a busy machine (pid_max is often 32768):
	# remember when each process started and never signal a newcomer.
	start=$(_srv_starttime "$pid")
	for d in "${desc[@]}"; do
		born[$d]=$(_srv_starttime "$d")
	done
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		_srv_same "$pid" "$start" || break
		sleep 0.1
	done
	if _srv_same "$pid" "$start"; then
		_srv_err "pid $pid ignored SIGTERM for ${secs}s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	# Whatever it started must be gone too.
	for ((i = 0; i < 30; i++)); do
		local left=0
		for d in "${desc[@]}"; do
			_srv_same "$d" "${born[$d]}" && left=1
		done
		[ "$left" = 0 ] && break
		sleep 0.1
	done
	for d in "${desc[@]}"; do
		if _srv_same "$d" "${born[$d]}"; then
			_srv_err "pid $d (started by $pid) still running; killing it"
			kill -KILL "$d" 2>/dev/null || true
		fi
	done
	return 0
}

# The start time of PID (field 22 of /proc/PID/stat), or nothing.
_srv_starttime() {
	local stat
	local -a f
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
	# Fields after the command name start with the state (field 3).
	read -r -a f <<<"${stat##*) }"
	printf '%s\n' "${f[19]:-}"
}

# _srv_same PID START: PID is alive and is the process that started at START.
_srv_same() {
	[ -n "$2" ] && _srv_alive "$1" && [ "$(_srv_starttime "$1")" = "$2" ]
}

# Escape a value for the replacement side of a sed s||| command.
_srv_sed_value() {
	printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# _srv_fill TEMPLATE OUT KEEP_TLS NAME=VALUE...: fill in placeholders.
_srv_fill() {
	local tmpl=$1 out=$2 keep_tls=$3 kv
	shift 3
	local -a expr=()
	for kv in "$@"; do
		expr+=(-e "s|@${kv%%=*}@|$(_srv_sed_value "${kv#*=}")|g")
	done
	if [ "$keep_tls" != 1 ]; then
		expr+=(-e '/^## >>> TLS/,/^## <<< TLS/d')
	fi
	sed "${expr[@]}" "$tmpl" >"$out" || return 1
	if grep -n '@[A-Z_]*@' "$out" | grep -v '^[0-9]*:[[:space:]]*#' >&2; then
		_srv_err "$out: placeholders left unfilled (above)"
		return 1
	fi
}

# _srv_rundir STATE [private]: a directory for sockets.  sun_path holds only
# 108 bytes and STATE_DIR may be deep (bats), and another user (Apache's
# www-data) may have to reach it when STATE_DIR's parents are private, so
# in those cases it is a fresh short directory in /tmp, which the stop
# functions remove again.
_srv_rundir() {
	local state=$1 dir=$1/run
	if [ ${#dir} -gt 70 ] || [ "${2:-}" = shared ]; then
		dir=$(mktemp -d "${TMPDIR:-/tmp}/berth-run.XXXXXX") || return 1
		printf '%s\n' "$dir" >"$state/rundir.tmp"
	else
		mkdir -p "$dir" || return 1
	fi
	printf '%s\n' "$dir"
}

_srv_rundir_cleanup() {
	local state=$1 dir
	if [ -f "$state/rundir.tmp" ]; then
		dir=$(cat "$state/rundir.tmp")
		case "$dir" in
		*/berth-run.*) rm -rf -- "$dir" ;;
		esac
		rm -f "$state/rundir.tmp"
	fi
}

# _srv_storage_of CONFIG STATE: the [storage] path of berth.ini CONFIG,
# for the web server's X-Sendfile settings (@STORAGE@): the programs name
# files below it, and the web server refuses any other path (lighttpd
# answers 403).  STATE/storage when CONFIG has none (the s3 driver, which
# never uses X-Sendfile).
_srv_storage_of() {
	local p
	p=$(awk '/^[ \t]*\[/ { insec = ($0 ~ /^[ \t]*\[storage\]/); next }
		insec && /^[ \t]*path[ \t]*=/ {
			sub(/^[ \t]*path[ \t]*=[ \t]*/, ""); sub(/[ \t]+$/, ""); print; exit
		}' "$1")
	printf '%s\n' "${p:-$2/storage}"
}

_srv_check_programs() {
	local bindir=$1 p
	for p in $BERTH_FCGI_PROGRAMS; do
		if [ ! -x "$bindir/$p" ]; then
			_srv_err "$bindir/$p: missing or not executable (build first)"
			return 1
		fi
	done
}

# _srv_make_tls DIR: a CA, a server certificate for 127.0.0.1/localhost
# and a client certificate (CN berth-client), all valid for two days.
_srv_make_tls() {
	local d=$1
	mkdir -p "$d" && chmod 0755 "$d" || return 1
	[ -f "$d/ca.crt" ] && return 0
	(
		set -e
		cd "$d"
		ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
		openssl req -x509 "${ec[@]}" -days 2 -subj /CN=berth-test-ca \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign \
			-keyout ca.key -out ca.crt
		openssl req "${ec[@]}" -subj /CN=localhost \
			-keyout server.key -out server.csr
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key \
			-CAcreateserial -days 2 -extfile server.ext -out server.crt
		openssl req "${ec[@]}" -subj /CN=berth-client \
			-keyout client.key -out client.csr
		printf 'extendedKeyUsage=clientAuth\n' >client.ext
		openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key \
			-CAcreateserial -days 2 -extfile client.ext -out client.crt
		chmod 0644 server.key
	) >"$d/openssl.log" 2>&1 || {
		cat "$d/openssl.log" >&2
		_srv_err "could not make test certificates"
		return 1
	}
}

# _srv_wait NAME PID URL [CURL ARGS...]: wait up to 15 s until URL answers
# with any HTTP status while PID lives.
_srv_wait() {
	local name=$1 pid=$2 url=$3 i code
	shift 3
	for ((i = 0; i < 150; i++)); do
		if ! _srv_alive "$pid"; then
			_srv_err "$name exited during start-up"
			return 1
		fi
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
			"$@" "$url") || true
		if [ -n "$code" ] && [ "$code" != 000 ]; then
			return 0
		fi
		sleep 0.1
	done
	_srv_err "$name did not answer at $url within 15 s"
	return 1
}

# Print the logs of a failed start.
_srv_dump_logs() {
	local f
	for f in "$@"; do
		[ -s "$f" ] || continue
		printf -- '----- %s (last 50 lines) -----\n' "$f" >&2
		tail -n 50 "$f" >&2
	done
	printf -- '-----\n' >&2
}

_srv_export_urls() {
	local state=$1 port=$2 tls_port=${3:-}
	BERTH_PORT=$port
	BERTH_HOSTPORT=127.0.0.1:$port
	BERTH_URL=http://$BERTH_HOSTPORT
	BERTH_SERVER_STATE=$state
	export BERTH_PORT BERTH_HOSTPORT BERTH_URL BERTH_SERVER_STATE
	if [ -n "$tls_port" ]; then
		BERTH_TLS_HOSTPORT=127.0.0.1:$tls_port
		BERTH_TLS_URL=https://$BERTH_TLS_HOSTPORT
		BERTH_TLS_CA=$state/tls/ca.crt
		BERTH_TLS_CLIENT_CERT=$state/tls/client.crt
		BERTH_TLS_CLIENT_KEY=$state/tls/client.key
		export BERTH_TLS_HOSTPORT BERTH_TLS_URL BERTH_TLS_CA \
			BERTH_TLS_CLIENT_CERT BERTH_TLS_CLIENT_KEY
	fi
}

# ---------------------------------------------------------------- lighttpd

start_lighttpd() {
	if [ $# -ne 3 ]; then
		_srv_err "usage: start_lighttpd BUILDDIR CONFIG STATE_DIR"
		return 2
	fi
	local builddir=$1 config=$2 state=$3
	local bindir rundir tls=${BERTH_TLS:-0} port tls_port='' pid
	builddir=$(cd "$builddir" && pwd) || return 1
	bindir=$builddir/cgi-bin
	_srv_check_programs "$bindir" || return 1
	command -v lighttpd >/dev/null || { _srv_err "lighttpd is not installed"; return 1; }
	mkdir -p "$state" && state=$(cd "$state" && pwd) || return 1
	if [ -f "$state/lighttpd.pid" ] && _srv_alive "$(cat "$state/lighttpd.pid")"; then
		_srv_err "lighttpd already running for $state"
		return 1
	fi
	mkdir -p "$state/log" "$state/tmp" "$state/docroot" || return 1
	[ "$tls" = 1 ] && { _srv_make_tls "$state/tls" || return 1; }
	rundir=$(_srv_rundir "$state") || return 1
	case "$config" in /*) ;; *) config=$PWD/$config ;; esac

	for _ in 1 2 3 4 5; do
		port=$(_srv_pick_port) || break
		if [ "$tls" = 1 ]; then
			tls_port=$(_srv_other_port "$port") || break
		fi
		_srv_fill "$BERTH_SERVERS_SRCDIR/httpd-conf/lighttpd.conf" \
			"$state/lighttpd.conf" "$tls" \
			BINDIR="$bindir" CONFIG="$config" PORT="$port" \
			DOCROOT="$state/docroot" RUNDIR="$rundir" \
			LOGDIR="$state/log" TMPDIR="$state/tmp" USER= GROUP= \
			STORAGE="$(_srv_storage_of "$config" "$state")" \
			TLS_ADDR=127.0.0.1 \
			TLS_PORT="${tls_port:-0}" TLS_CERT="$state/tls/server.crt" \
			TLS_KEY="$state/tls/server.key" \
			TLS_CLIENT_CA="$state/tls/ca.crt" || break
		if ! lighttpd -tt -f "$state/lighttpd.conf" >"$state/log/configtest.log" 2>&1; then
			_srv_dump_logs "$state/log/configtest.log"
			_srv_err "lighttpd rejects $state/lighttpd.conf"
			break
		fi
		: >"$state/log/error.log"
		lighttpd -D -f "$state/lighttpd.conf" \
			</dev/null >"$state/log/lighttpd.out" 2>&1 3>&- &
		pid=$!
		printf '%s\n' "$pid" >"$state/lighttpd.pid"
		if _srv_wait lighttpd "$pid" "http://127.0.0.1:$port/v2/" &&
			{ [ "$tls" != 1 ] || _srv_wait "lighttpd (TLS)" "$pid" \
				"https://localhost:$tls_port/v2/" \
				--cacert "$state/tls/ca.crt" \
				--resolve "localhost:$tls_port:127.0.0.1"; } &&
			sleep 0.2 && _srv_alive "$pid"; then
			# (alive after answering: the answer was not another server's)
			_srv_export_urls "$state" "$port" "$tls_port"
			return 0
		fi
		_srv_kill "$pid" 5
		rm -f "$state/lighttpd.pid"
		if [ -z "${BERTH_LISTEN_PORT:-}" ] &&
			grep -qs 'Address already in use' "$state/log/error.log" \
				"$state/log/lighttpd.out"; then
			continue
		fi
		break
	done
	_srv_dump_logs "$state/log/lighttpd.out" "$state/log/error.log"
	_srv_err "lighttpd did not start (config $state/lighttpd.conf)"
	_srv_rundir_cleanup "$state"
	return 1
}

stop_lighttpd() {
	local state=${1:?usage: stop_lighttpd STATE_DIR} pid
	if [ -f "$state/lighttpd.pid" ]; then
		pid=$(cat "$state/lighttpd.pid")
		# lighttpd stops the programs it spawned; _srv_kill checks that.
		_srv_kill "$pid" 10
		rm -f "$state/lighttpd.pid"
	fi
	_srv_rundir_cleanup "$state"
}

# ------------------------------------------------------------------ Apache

_srv_apache_main_conf() {
	local state=$1 rundir=$2 variant=$3 tls=$4 m=$BERTH_APACHE_MODULES mod
	{
		printf '# Generated by tests/lib/servers.bash: a private Apache instance.\n'
		printf 'ServerRoot "%s"\n' "$state/conf"
		printf 'ServerName 127.0.0.1\n'
		printf 'PidFile "%s"\n' "$rundir/apache.pid"
		printf 'DefaultRuntimeDir "%s"\n' "$rundir"
		printf 'ErrorLog "%s"\n' "$state/log/error.log"
		printf 'LogLevel warn\n'
		printf 'LogFormat "%%h %%l %%u %%t \\"%%r\\" %%>s %%O \\"%%{Referer}i\\" \\"%%{User-Agent}i\\"" combined\n'
		for mod in mpm_event authz_core env proxy proxy_fcgi macro; do
			printf 'LoadModule %s_module "%s/mod_%s.so"\n' "$mod" "$m" "$mod"
		done
		# X-Sendfile for blob GETs, when libapache2-mod-xsendfile is there.
		if [ -f "$m/mod_xsendfile.so" ]; then
			printf 'LoadModule xsendfile_module "%s/mod_xsendfile.so"\n' "$m"
		fi
		if [ "$tls" = 1 ]; then
			printf 'LoadModule %s_module "%s/mod_%s.so"\n' socache_shmcb "$m" socache_shmcb
			printf 'LoadModule %s_module "%s/mod_%s.so"\n' ssl "$m" ssl
			printf 'SSLSessionCache "shmcb:%s/ssl_scache(512000)"\n' "$rundir"
		fi
		if [ "$variant" = fcgid ]; then
			printf 'LoadModule alias_module "%s/mod_alias.so"\n' "$m"
			printf 'LoadModule fcgid_module "%s/mod_fcgid.so"\n' "$m"
			printf 'FcgidIPCDir "%s/fcgid"\n' "$rundir"
			printf 'FcgidProcessTableFile "%s/fcgid/shm"\n' "$rundir"
			printf 'Define BERTH_FCGID\n'
		fi
		# A small instance: one child process, 25 threads.
		printf 'StartServers 1\nServerLimit 2\nThreadsPerChild 25\nMaxRequestWorkers 50\n'
		if [ "$(id -u)" = 0 ]; then
			printf 'User www-data\nGroup www-data\n'
		fi
		printf 'Include "%s"\n' "$state/conf/berth.conf"
	} >"$state/conf/httpd.conf"
}

# Start one program under spawn-fcgi on RUNDIR/NAME.sock; records the PID.
_srv_spawn_fcgi() {
	local state=$1 rundir=$2 bindir=$3 config=$4 name=$5 procs=$6 i
	local -a owner=() cmd
	if [ "$(id -u)" = 0 ]; then
		owner=(-U www-data -G www-data)
	fi
	# spawn-fcgi execs without a PATH search.
	if command -v multiwatch >/dev/null; then
		cmd=("$(command -v multiwatch)" -f "$procs" -s TERM -- "$bindir/$name")
	else
		cmd=("$bindir/$name")
	fi
	rm -f "$rundir/$name.sock"
	BERTH_CONFIG=$config spawn-fcgi -n -s "$rundir/$name.sock" -M 0600 \
		"${owner[@]}" -- "${cmd[@]}" \
		</dev/null >>"$state/log/$name.log" 2>&1 3>&- &
	printf '%s\n' "$!" >"$state/fcgi-$name.pid"
	for ((i = 0; i < 50; i++)); do
		[ -S "$rundir/$name.sock" ] && return 0
		_srv_alive "$!" || break
		sleep 0.1
	done
	_srv_dump_logs "$state/log/$name.log"
	_srv_err "spawn-fcgi did not start $name"
	return 1
}

# True if every spawn-fcgi process set of STATE still runs.
_srv_fcgi_alive() {
	local f
	for f in "$1"/fcgi-*.pid; do
		[ -f "$f" ] || continue
		if ! _srv_alive "$(cat "$f")"; then
			f=${f##*/fcgi-}
			_srv_err "${f%.pid} exited (log: $1/log/${f%.pid}.log)"
			return 1
		fi
	done
}

start_apache() {
	if [ $# -ne 3 ]; then
		_srv_err "usage: start_apache BUILDDIR CONFIG STATE_DIR"
		return 2
	fi
	local builddir=$1 config=$2 state=$3
	local bindir rundir tls=${BERTH_TLS:-0} variant=${BERTH_APACHE_VARIANT:-proxy_fcgi}
	local port tls_port='' pid name procs
	builddir=$(cd "$builddir" && pwd) || return 1
	bindir=$builddir/cgi-bin
	_srv_check_programs "$bindir" || return 1
	command -v apache2 >/dev/null || { _srv_err "apache2 is not installed"; return 1; }
	if [ "$variant" = proxy_fcgi ]; then
		command -v spawn-fcgi >/dev/null || { _srv_err "spawn-fcgi is not installed"; return 1; }
	fi
	mkdir -p "$state" && state=$(cd "$state" && pwd) || return 1
	if [ -f "$state/apache.pid" ] && _srv_alive "$(cat "$state/apache.pid")"; then
		_srv_err "Apache already running for $state"
		return 1
	fi
	mkdir -p "$state/conf" "$state/log" "$state/docroot" || return 1
	[ "$tls" = 1 ] && { _srv_make_tls "$state/tls" || return 1; }
	if [ "$(id -u)" = 0 ]; then
		rundir=$(_srv_rundir "$state" shared) || return 1
	else
		rundir=$(_srv_rundir "$state") || return 1
	fi
	if [ "$(id -u)" = 0 ]; then
		# Apache's children (www-data) must reach the sockets.
		chmod 0711 "$rundir"
		if [ "$variant" = fcgid ]; then
			mkdir -p "$rundir/fcgid" && chown www-data "$rundir/fcgid"
		fi
	fi
	case "$config" in /*) ;; *) config=$PWD/$config ;; esac

	if [ "$variant" = proxy_fcgi ]; then
		for name in $BERTH_FCGI_PROGRAMS; do
			case "$name" in
			berth-blobs) procs=4 ;;
			*) procs=2 ;;
			esac
			if ! _srv_spawn_fcgi "$state" "$rundir" "$bindir" "$config" "$name" "$procs"; then
				stop_apache "$state"
				return 1
			fi
		done
	fi

	_srv_apache_main_conf "$state" "$rundir" "$variant" "$tls"
	for _ in 1 2 3 4 5; do
		port=$(_srv_pick_port) || break
		if [ "$tls" = 1 ]; then
			tls_port=$(_srv_other_port "$port") || break
		fi
		_srv_fill "$BERTH_SERVERS_SRCDIR/httpd-conf/apache.conf" \
			"$state/conf/berth.conf" "$tls" \
			BINDIR="$bindir" CONFIG="$config" PORT="$port" \
			DOCROOT="$state/docroot" RUNDIR="$rundir" \
			LOGDIR="$state/log" \
			STORAGE="$(_srv_storage_of "$config" "$state")" \
			SERVER_NAME=localhost TLS_ADDR=127.0.0.1 \
			TLS_PORT="${tls_port:-0}" TLS_CERT="$state/tls/server.crt" \
			TLS_KEY="$state/tls/server.key" \
			TLS_CLIENT_CA="$state/tls/ca.crt" || break
		if ! apache2 -t -d "$state/conf" -f "$state/conf/httpd.conf" \
			>"$state/log/configtest.log" 2>&1; then
			_srv_dump_logs "$state/log/configtest.log"
			_srv_err "Apache rejects $state/conf/httpd.conf"
			break
		fi
		: >"$state/log/error.log"
		apache2 -d "$state/conf" -f "$state/conf/httpd.conf" -DFOREGROUND \
			</dev/null >"$state/log/apache.out" 2>&1 3>&- &
		pid=$!
		printf '%s\n' "$pid" >"$state/apache.pid"
		if _srv_wait Apache "$pid" "http://127.0.0.1:$port/v2/" &&
			{ [ "$tls" != 1 ] || _srv_wait "Apache (TLS)" "$pid" \
				"https://localhost:$tls_port/v2/" \
				--cacert "$state/tls/ca.crt" \
				--resolve "localhost:$tls_port:127.0.0.1"; } &&
			sleep 0.2 && _srv_alive "$pid" && _srv_fcgi_alive "$state"; then
			_srv_export_urls "$state" "$port" "$tls_port"
			return 0
		fi
		_srv_kill "$pid" 5
		rm -f "$state/apache.pid"
		if [ -z "${BERTH_LISTEN_PORT:-}" ] &&
			grep -qs 'Address already in use' "$state/log/error.log" \
				"$state/log/apache.out"; then
			continue
		fi
		_srv_dump_logs "$state/log/apache.out" "$state/log/error.log" \
			"$state"/log/berth-*.log
		_srv_err "Apache did not start (config $state/conf/httpd.conf)"
		break
	done
	stop_apache "$state"
	return 1
}

stop_apache() {
	local state=${1:?usage: stop_apache STATE_DIR} f pid
	if [ -f "$state/apache.pid" ]; then
		pid=$(cat "$state/apache.pid")
		_srv_kill "$pid" 10
		rm -f "$state/apache.pid"
	fi
	for f in "$state"/fcgi-*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		# multiwatch passes SIGTERM on to the program processes.
		_srv_kill "$pid" 10
		rm -f "$f"
	done
	_srv_rundir_cleanup "$state"
}

# ----------------------------------------------------------------- dockerd

start_dockerd() {
	local state=${1:?usage: start_dockerd STATE_DIR} exec_root pid i
	command -v dockerd >/dev/null || { _srv_err "dockerd is not installed (docker.io)"; return 1; }
	mkdir -p "$state" && state=$(cd "$state" && pwd) || return 1
	if [ -f "$state/dockerd.pid" ] && _srv_alive "$(cat "$state/dockerd.pid")"; then
		_srv_err "dockerd already running for $state"
		return 1
	fi
	mkdir -p "$state/root" "$state/cfg" || return 1
	# containerd's sockets live in exec-root: keep that path short.
	exec_root=$(_srv_rundir "$state") || return 1
	dockerd --storage-driver=vfs --iptables=false --ip6tables=false \
		--bridge=none --data-root "$state/root" --exec-root "$exec_root" \
		--pidfile "$state/dockerd.own.pid" --host "unix://$exec_root/dk.sock" \
		</dev/null >"$state/dockerd.log" 2>&1 3>&- &
	pid=$!
	printf '%s\n' "$pid" >"$state/dockerd.pid"
	DOCKER_HOST=unix://$exec_root/dk.sock
	DOCKER_CONFIG=$state/cfg
	export DOCKER_HOST DOCKER_CONFIG
	for ((i = 0; i < 300; i++)); do
		if ! _srv_alive "$pid"; then
			break
		fi
		if docker version >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	_srv_dump_logs "$state/dockerd.log"
	_srv_err "dockerd did not start"
	stop_dockerd "$state"
	return 1
}

stop_dockerd() {
	local state=${1:?usage: stop_dockerd STATE_DIR} pid m
	if [ -f "$state/dockerd.pid" ]; then
		pid=$(cat "$state/dockerd.pid")
		# dockerd takes its containerd down with it.
		_srv_kill "$pid" 30
		rm -f "$state/dockerd.pid"
	fi
	# Mounts left below the state (container namespaces) block removal.
	if [ -r /proc/mounts ]; then
		local rd=
		[ -f "$state/rundir.tmp" ] && rd=$(cat "$state/rundir.tmp")
		while read -r _ m _; do
			case "$m" in
			"$state"/* | "${rd:-/nonexistent}"/*) umount -l "$m" 2>/dev/null || true ;;
			esac
		done < <(tac /proc/mounts)
	fi
	_srv_rundir_cleanup "$state"
}
