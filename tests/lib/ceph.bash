# ceph.bash: a real S3 endpoint (Ceph radosgw) for the test suite
# shellcheck shell=bash
#
# Source this file after servers.bash (from bats: `load ../lib/servers`,
# then `load ../lib/ceph`).  A cluster is one monitor, one OSD that keeps
# its objects in RAM (memstore, capped at 2 GiB, using only what is stored)
# and one radosgw, all on free 127.0.0.1 ports, without authentication
# between them (the S3 side checks SigV4 signatures as usual).  Every file
# of a cluster (ceph.conf, monitor store, logs, PIDs, the s3cmd config)
# lives in the STATE_DIR it is given, so clusters with different STATE_DIRs
# run side by side.  Needs ceph-mon, ceph-osd, radosgw and ceph-common
# (Debian 12: Ceph 16.2), curl and openssl; s3_cli needs s3cmd.  A start
# takes about 2 s; the daemons use about 250 MiB, plus what is stored.
#
#   start_ceph STATE_DIR
#       a fresh cluster (what an earlier one left in STATE_DIR is replaced),
#       an S3 user with random keys and an empty bucket.  Returns once a PUT
#       and a GET of an object in that bucket work.  On failure it prints
#       the daemons' logs to stderr, stops what it started, and returns
#       non-zero.  Call it directly (setup_file), not through `run`: it
#       exports the variables below.
#   stop_ceph STATE_DIR
#       stops radosgw, the OSD and the monitor; keeps STATE_DIR (logs).
#   stop_rgw STATE_DIR / start_rgw STATE_DIR
#       stop and start radosgw alone, on the same port: the store refuses
#       connections in between and comes back with its data.
#   s3_berth_config PREFIX
#       the [storage] and [s3] lines of a berth.ini over this cluster's
#       bucket, under key prefix PREFIX.
#   s3_cli ARGS...
#       s3cmd with this cluster's credentials (s3_cli ls s3://$BERTH_S3_BUCKET/).
#   s3_curl [CURL ARGS...] URL|/PATH
#       curl with a SigV4 Authorization header for this cluster; a last
#       argument that starts with / is relative to BERTH_S3_ENDPOINT.
#       E.g. s3_curl -sS -X PUT --data-binary x -H 'If-None-Match: *' /B/K
#       or s3_curl -sS "/B?list-type=2&prefix=a/&delimiter=/".
#   s3_presign [-X METHOD] [-e SECONDS] URL|/PATH
#       print a presigned (SigV4 query) URL for this cluster.
#   rgw_ops_log [STATE_DIR] / rgw_ops_grep ERE
#       radosgw's ops log: one JSON line per request, with the request
#       headers named in BERTH_CEPH_LOG_HEADERS, e.g.
#       rgw_ops_grep '"PUT /berth-test/k HTTP/1.1".*"HTTP_X_AMZ_STORAGE_CLASS":"STANDARD"'
#       (rgw_ops_grep waits up to 5 s: rgw writes the line after answering).
#   rgw_debug STATE_DIR LEVEL
#       set radosgw's debug_rgw at run time; at 20, client.rgw.a.log has
#       every request header as "... 20 HTTP_X_AMZ_STORAGE_CLASS=STANDARD".
#
# start_ceph exports BERTH_S3_ENDPOINT (http://127.0.0.1:PORT),
# BERTH_S3_ACCESS_KEY (20 characters, A-Z0-9), BERTH_S3_SECRET_KEY (40,
# base64 alphabet, so it may hold / and +), BERTH_S3_BUCKET (berth-test
# unless BERTH_S3_BUCKET was set before), BERTH_S3_REGION (us-east-1:
# radosgw signs with whatever region the client names), BERTH_S3_KMS_KEY_ID
# (berth-test-key) and BERTH_CEPH_STATE (STATE_DIR, absolute); s3_cli,
# s3_curl, s3_presign and rgw_ops_grep use the cluster of BERTH_CEPH_STATE.
# Set before start_ceph: BERTH_CEPH_DEBUG_RGW=N (radosgw log level from the
# start), BERTH_CEPH_DEFAULT_ENCRYPTION=1 (see below).
#
# Server-side encryption, over plain HTTP: "x-amz-server-side-encryption:
# aws:kms" with "x-amz-server-side-encryption-aws-kms-key-id: berth-test-key"
# encrypts (radosgw's "testing" KMS backend holds that key) and HEAD/GET
# answer with both headers.  "x-amz-server-side-encryption: AES256" is
# accepted but radosgw 16 has no SSE-S3: the object is stored as is and no
# header comes back.  With BERTH_CEPH_DEFAULT_ENCRYPTION=1, radosgw
# encrypts every object that has no other SSE mode with a default key
# (still without a response header), and then refuses CopyObject from any
# object with 501 NotImplemented.

BERTH_CEPH_BUCKET_DEFAULT=berth-test
BERTH_CEPH_REGION_DEFAULT=us-east-1
BERTH_CEPH_KMS_KEY_ID_DEFAULT=berth-test-key

# The request headers the ops log records (rgw's CGI-style names).
BERTH_CEPH_LOG_HEADERS=${BERTH_CEPH_LOG_HEADERS:-"http_x_amz_server_side_encryption, \
http_x_amz_server_side_encryption_aws_kms_key_id, http_x_amz_storage_class, \
http_x_amz_copy_source, http_x_amz_content_sha256, http_content_md5, \
http_if_none_match, http_if_match, http_x_amz_acl, http_range"}

# What STATE/cluster.env records; functions declare these local before
# _ceph_load, so that nothing leaks into the caller and two clusters do
# not mix.
_CEPH_VARS=(CEPH_FSID CEPH_RUNDIR CEPH_MON_PORT CEPH_RGW_PORT CEPH_ACCESS_KEY
	CEPH_SECRET_KEY CEPH_BUCKET CEPH_REGION CEPH_KMS_KEY_ID CEPH_KMS_KEY
	CEPH_DEFAULT_KEY)

_ceph_load() {
	if [ ! -f "$1/cluster.env" ]; then
		_ceph_err "$1/cluster.env: missing (start_ceph first)"
		return 1
	fi
	# shellcheck disable=SC1091
	. "$1/cluster.env"
}

_ceph_err() {
	printf 'ceph.bash: %s\n' "$*" >&2
}

# _ceph_run STATE NAME CMD...: start daemon NAME in the foreground (as our
# background job) and record "PID STARTTIME" in STATE/pids/NAME.
_ceph_run() {
	local state=$1 name=$2 pid
	shift 2
	"$@" </dev/null >>"$state/log/$name.out" 2>&1 3>&- &
	pid=$!
	printf '%s %s\n' "$pid" "$(_srv_starttime "$pid")" >"$state/pids/$name"
}

# _ceph_pid STATE NAME: print NAME's PID if that very process still runs.
_ceph_pid() {
	local pid start
	[ -f "$1/pids/$2" ] || return 1
	read -r pid start <"$1/pids/$2" || return 1
	_srv_same "$pid" "$start" || return 1
	printf '%s\n' "$pid"
}

# _ceph_stop STATE NAME: stop daemon NAME (only if the recorded PID is still
# the process we started) and forget it.
_ceph_stop() {
	local pid
	if pid=$(_ceph_pid "$1" "$2"); then
		_srv_kill "$pid" 15
	fi
	rm -f "$1/pids/$2"
}

_ceph_conf() {
	local state=$1
	local "${_CEPH_VARS[@]}"
	_ceph_load "$state" || return 1
	cat >"$state/ceph.conf" <<EOF
# Generated by tests/lib/ceph.bash: a throw-away single-node cluster.
[global]
fsid = $CEPH_FSID
mon host = v2:127.0.0.1:$CEPH_MON_PORT
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
ms bind ipv6 = false
ms bind msgr1 = false
run dir = $CEPH_RUNDIR
crash dir = $state/crash
log file = $state/log/\$name.log
mon cluster log file = $state/log/cluster.log
osd pool default size = 1
osd pool default min size = 1
osd crush chooseleaf type = 0
osd pool default pg autoscale mode = off
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon data avail warn = 1
mon data avail crit = 0
mon max pg per osd = 1000
# one osdmap epoch a second (the default) makes start-up take 17 s
paxos propose interval = 0.05
paxos min wait = 0.01
[mon]
mon data = $state/mon/\$cluster-\$id
[osd]
osd data = $state/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 2147483648
osd op num shards = 2
osd op num threads per shard = 1
[client]
# radosgw asks for "secure" mode by default, which auth "none" cannot give.
ms mon client mode = crc
# No metadata cache, so no cache notifications: a radosgw that died
# without unwatching (failed bind, SIGKILL) would otherwise make every
# metadata write (radosgw-admin user create, bucket creation) wait 30 s.
rgw cache enabled = false
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$CEPH_RGW_PORT
admin socket = \$run_dir/\$cluster-\$name.asok
rgw data = $state/rgw
rgw thread pool size = 32
rgw init timeout = 90
rgw dynamic resharding = false
debug rgw = ${BERTH_CEPH_DEBUG_RGW:-1}
# One JSON line per request, with these request headers (rgw_ops_log).
rgw enable ops log = true
rgw ops log rados = false
rgw ops log file path = $state/log/ops.log
rgw log http headers = $BERTH_CEPH_LOG_HEADERS
# Server-side encryption over plain HTTP (tests only).
rgw crypt require ssl = false
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = $CEPH_KMS_KEY_ID=$CEPH_KMS_KEY
EOF
	if [ "${BERTH_CEPH_DEFAULT_ENCRYPTION:-0}" = 1 ]; then
		printf 'rgw crypt default encryption key = %s\n' "$CEPH_DEFAULT_KEY" \
			>>"$state/ceph.conf"
	fi
}

# Run the ceph CLI against the cluster of STATE.
_ceph_cli() {
	local state=$1
	shift
	timeout 60 ceph -c "$state/ceph.conf" --connect-timeout 30 "$@"
}

# _ceph_listens PID PORT: PID has a socket listening on 127.0.0.1:PORT
# (so the port is not somebody else's).
_ceph_listens() {
	local pid=$1 hex inode
	hex=$(printf '0100007F:%04X' "$2")
	[ -d "/proc/$pid/fd" ] || return 1
	while read -r inode; do
		[ -n "$(find "/proc/$pid/fd" -maxdepth 1 \
			-lname "socket:\[$inode\]" 2>/dev/null)" ] && return 0
	done < <(awk -v a="$hex" '$2 == a && $4 == "0A" { print $10 }' /proc/net/tcp)
	return 1
}

# _ceph_wait_port NAME STATE PORT SECS LOG: wait until daemon NAME listens
# on PORT.  1: it died, or LOG says it cannot bind (it is stopped then,
# rather than left to retry); 2: timeout.
_ceph_wait_port() {
	local name=$1 state=$2 port=$3 secs=$4 log=$5 i pid
	for ((i = 0; i < secs * 10; i++)); do
		pid=$(_ceph_pid "$state" "$name") || return 1
		_ceph_listens "$pid" "$port" && return 0
		if _ceph_bind_failed "$log"; then
			_ceph_stop "$state" "$name"
			return 1
		fi
		sleep 0.1
	done
	return 2
}

# True if the log (since the last _ceph_log_mark) reports a failed bind.
_ceph_bind_failed() {
	local f last
	for f in "$@"; do
		[ -f "$f" ] || continue
		last=$(awk '/^----- attempt / { buf = ""; next } { buf = buf $0 "\n" }
			END { printf "%s", buf }' "$f")
		grep -qiE 'address already in use|failed to bind|unable to bind' \
			<<<"$last" && return 0
	done
	return 1
}

# _ceph_log_mark STATE FILE...: start a new attempt in these logs (kept, so
# that a failure dump shows every attempt).
_ceph_log_mark() {
	local state=$1 f
	shift
	for f in "$@"; do
		printf -- '----- attempt %s\n' "$(date -u +%FT%T.%N)" >>"$state/log/$f"
	done
}

# Start the monitor on a free port, retrying with other ports.
_ceph_start_mon() {
	local state=$1 rc
	for _ in 1 2 3 4 5; do
		CEPH_MON_PORT=$(berth_free_port) || return 1
		sed -i "s/^CEPH_MON_PORT=.*/CEPH_MON_PORT=$CEPH_MON_PORT/" "$state/cluster.env"
		_ceph_conf "$state" || return 1
		rm -rf "$state/mon" "$state/monmap" && mkdir -p "$state/mon" || return 1
		_ceph_log_mark "$state" mon.a.log mon.out
		monmaptool --create --fsid "$CEPH_FSID" \
			--addv a "[v2:127.0.0.1:$CEPH_MON_PORT]" "$state/monmap" \
			>>"$state/log/mon.out" 2>&1 || return 1
		ceph-mon -c "$state/ceph.conf" --mkfs -i a \
			--monmap "$state/monmap" >>"$state/log/mon.out" 2>&1 || return 1
		_ceph_run "$state" mon ceph-mon -c "$state/ceph.conf" -i a -f
		rc=0
		_ceph_wait_port mon "$state" "$CEPH_MON_PORT" 30 "$state/log/mon.a.log" || rc=$?
		[ "$rc" = 0 ] && return 0
		_ceph_stop "$state" mon
		if [ "$rc" = 1 ] && _ceph_bind_failed "$state/log/mon.a.log" "$state/log/mon.out"; then
			continue
		fi
		_ceph_err "ceph-mon did not start"
		return 1
	done
	_ceph_err "ceph-mon: no port worked"
	return 1
}

_ceph_start_osd() {
	local state=$1 uuid id
	uuid=$(cat /proc/sys/kernel/random/uuid)
	rm -rf "$state/osd" && mkdir -p "$state/osd/ceph-0" || return 1
	id=$(_ceph_cli "$state" osd new "$uuid" 2>>"$state/log/osd.out") || {
		_ceph_err "ceph osd new failed"
		return 1
	}
	if [ "$id" != 0 ]; then
		_ceph_err "ceph osd new gave OSD id '$id', not 0"
		return 1
	fi
	ceph-osd -c "$state/ceph.conf" -i 0 --mkfs --osd-uuid "$uuid" \
		>>"$state/log/osd.out" 2>&1 || {
		_ceph_err "ceph-osd --mkfs failed"
		return 1
	}
	_ceph_run "$state" osd ceph-osd -c "$state/ceph.conf" -i 0 -f
}

# _ceph_rgw_up STATE SECS: wait until radosgw listens on its port and
# answers HTTP there.  0: it does; 1: it exited or cannot bind (it is
# stopped then); 2: timeout; 3: the monitor or the OSD exited.
_ceph_rgw_up() {
	local state=$1 secs=$2 i code pid
	local "${_CEPH_VARS[@]}"
	_ceph_load "$state" || return 1
	for ((i = 0; i < secs * 10; i++)); do
		pid=$(_ceph_pid "$state" rgw) || return 1
		if ! _ceph_pid "$state" osd >/dev/null || ! _ceph_pid "$state" mon >/dev/null; then
			_ceph_err "ceph-mon or ceph-osd exited"
			return 3
		fi
		if _ceph_bind_failed "$state/log/client.rgw.a.log"; then
			_ceph_stop "$state" rgw
			return 1
		fi
		if _ceph_listens "$pid" "$CEPH_RGW_PORT"; then
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
				"http://127.0.0.1:$CEPH_RGW_PORT/") || true
			if [ -n "$code" ] && [ "$code" != 000 ]; then
				return 0
			fi
		fi
		sleep 0.1
	done
	return 2
}

# _ceph_launch_rgw STATE: start radosgw on CEPH_RGW_PORT; wait until it
# answers.  Return codes as _ceph_rgw_up.
_ceph_launch_rgw() {
	local state=$1
	_ceph_run "$state" rgw radosgw -c "$state/ceph.conf" -n client.rgw.a -f
	_ceph_rgw_up "$state" 120
}

# Start radosgw on a free port, retrying with other ports.
_ceph_start_rgw_new() {
	local state=$1 rc
	for _ in 1 2 3 4 5; do
		CEPH_RGW_PORT=$(berth_free_port) || return 1
		sed -i "s/^CEPH_RGW_PORT=.*/CEPH_RGW_PORT=$CEPH_RGW_PORT/" "$state/cluster.env"
		_ceph_conf "$state" || return 1
		_ceph_log_mark "$state" client.rgw.a.log rgw.out
		rc=0
		_ceph_launch_rgw "$state" || rc=$?
		[ "$rc" = 0 ] && return 0
		_ceph_stop "$state" rgw
		if [ "$rc" = 1 ] && _ceph_bind_failed "$state/log/client.rgw.a.log" "$state/log/rgw.out"; then
			continue
		fi
		_ceph_err "radosgw did not start"
		return 1
	done
	_ceph_err "radosgw: no port worked"
	return 1
}

_ceph_dump_logs() {
	local state=$1
	_srv_dump_logs "$state/log/mon.out" "$state/log/mon.a.log" \
		"$state/log/osd.out" "$state/log/osd.0.log" \
		"$state/log/rgw.out" "$state/log/client.rgw.a.log" \
		"$state/log/setup.log"
}

# A random string of LEN characters from base64 (40 for a secret key) or,
# with "upper", from A-Z0-9 (20 for an access key id).
_ceph_random() {
	local len=$1 kind=${2:-} s
	s=$(head -c 64 /dev/urandom | base64 -w0)
	if [ "$kind" = upper ]; then
		s=$(printf '%s' "$s" | tr -dc 'A-Z0-9')
		while [ ${#s} -lt "$len" ]; do
			s+=$(head -c 64 /dev/urandom | base64 -w0 | tr -dc 'A-Z0-9')
		done
	fi
	printf '%s\n' "${s:0:$len}"
}

_ceph_export() {
	local state=$1
	local "${_CEPH_VARS[@]}"
	_ceph_load "$state" || return 1
	BERTH_CEPH_STATE=$state
	BERTH_S3_ENDPOINT=http://127.0.0.1:$CEPH_RGW_PORT
	BERTH_S3_ACCESS_KEY=$CEPH_ACCESS_KEY
	BERTH_S3_SECRET_KEY=$CEPH_SECRET_KEY
	BERTH_S3_BUCKET=$CEPH_BUCKET
	BERTH_S3_REGION=$CEPH_REGION
	BERTH_S3_KMS_KEY_ID=$CEPH_KMS_KEY_ID
	export BERTH_CEPH_STATE BERTH_S3_ENDPOINT BERTH_S3_ACCESS_KEY \
		BERTH_S3_SECRET_KEY BERTH_S3_BUCKET BERTH_S3_REGION \
		BERTH_S3_KMS_KEY_ID
}

_ceph_s3cfg() {
	local state=$1
	local "${_CEPH_VARS[@]}"
	_ceph_load "$state" || return 1
	cat >"$state/s3cfg" <<EOF
[default]
access_key = $CEPH_ACCESS_KEY
secret_key = $CEPH_SECRET_KEY
host_base = 127.0.0.1:$CEPH_RGW_PORT
host_bucket = 127.0.0.1:$CEPH_RGW_PORT
bucket_location = $CEPH_REGION
use_https = False
signature_v2 = False
check_ssl_certificate = False
guess_mime_type = False
EOF
}

# Create the S3 user and the bucket; wait until a PUT and a GET work (the
# first write waits while the new data pool's PGs peer).
_ceph_setup_s3() {
	local state=$1 i body got code
	# (for s3_curl; exported only once all works)
	local BERTH_CEPH_STATE=$state
	radosgw-admin -c "$state/ceph.conf" -n client.admin user create \
		--uid=berth --display-name="berth tests" \
		--access-key="$CEPH_ACCESS_KEY" --secret-key="$CEPH_SECRET_KEY" \
		>>"$state/log/setup.log" 2>&1 || {
		_ceph_err "radosgw-admin user create failed"
		return 1
	}
	for ((i = 0; i < 60; i++)); do
		code=$(s3_curl -s -o /dev/null -w '%{http_code}' -X PUT \
			"/$CEPH_BUCKET") || true
		case "$code" in
		200) break ;;
		409) _ceph_err "bucket $CEPH_BUCKET exists already?"; return 1 ;;
		esac
		printf 'PUT bucket: %s\n' "$code" >>"$state/log/setup.log"
		sleep 0.5
	done
	[ "$code" = 200 ] || { _ceph_err "could not create bucket $CEPH_BUCKET"; return 1; }
	body="ready $(date +%s%N)"
	for ((i = 0; i < 120; i++)); do
		if s3_curl -sSf -o /dev/null -X PUT --data-binary "$body" \
			"/$CEPH_BUCKET/.berth-ready" 2>>"$state/log/setup.log" &&
			got=$(s3_curl -sSf "/$CEPH_BUCKET/.berth-ready" 2>>"$state/log/setup.log") &&
			[ "$got" = "$body" ]; then
			s3_curl -sf -o /dev/null -X DELETE "/$CEPH_BUCKET/.berth-ready" ||
				_ceph_err "could not delete the probe object"
			return 0
		fi
		sleep 0.5
	done
	_ceph_err "PUT+GET of a probe object did not work within 60 s"
	return 1
}

start_ceph() {
	if [ $# -ne 1 ]; then
		_ceph_err "usage: start_ceph STATE_DIR"
		return 2
	fi
	local state=$1 p rundir
	local "${_CEPH_VARS[@]}"
	for p in ceph-mon ceph-osd radosgw radosgw-admin ceph monmaptool curl; do
		command -v "$p" >/dev/null || {
			_ceph_err "$p is not installed (ceph-mon ceph-osd radosgw ceph-common)"
			return 1
		}
	done
	mkdir -p "$state" && state=$(cd "$state" && pwd) || return 1
	for p in mon osd rgw; do
		if _ceph_pid "$state" "$p" >/dev/null; then
			_ceph_err "Ceph already running for $state"
			return 1
		fi
	done
	_srv_rundir_cleanup "$state"
	rm -rf "$state/mon" "$state/osd" "$state/rgw" "$state/crash" \
		"$state/pids" "$state/log" "$state/monmap" || return 1
	mkdir -p "$state/log" "$state/pids" "$state/rgw" "$state/crash" || return 1
	rundir=$(_srv_rundir "$state") || return 1
	{
		printf 'CEPH_FSID=%s\n' "$(cat /proc/sys/kernel/random/uuid)"
		printf 'CEPH_RUNDIR=%q\n' "$rundir"
		printf 'CEPH_MON_PORT=\nCEPH_RGW_PORT=\n'
		printf 'CEPH_ACCESS_KEY=%q\n' "$(_ceph_random 20 upper)"
		printf 'CEPH_SECRET_KEY=%q\n' "$(_ceph_random 40)"
		printf 'CEPH_BUCKET=%q\n' "${BERTH_S3_BUCKET:-$BERTH_CEPH_BUCKET_DEFAULT}"
		printf 'CEPH_REGION=%q\n' "$BERTH_CEPH_REGION_DEFAULT"
		printf 'CEPH_KMS_KEY_ID=%q\n' "$BERTH_CEPH_KMS_KEY_ID_DEFAULT"
		printf 'CEPH_KMS_KEY=%q\n' "$(head -c 32 /dev/urandom | base64 -w0)"
		printf 'CEPH_DEFAULT_KEY=%q\n' "$(head -c 32 /dev/urandom | base64 -w0)"
	} >"$state/cluster.env" || return 1
	_ceph_load "$state" || return 1

	if _ceph_start_mon "$state" && _ceph_start_osd "$state" &&
		_ceph_start_rgw_new "$state" && _ceph_s3cfg "$state" &&
		_ceph_setup_s3 "$state" && _ceph_export "$state"; then
		return 0
	fi
	_ceph_dump_logs "$state"
	_ceph_err "Ceph did not start (state in $state)"
	stop_ceph "$state"
	return 1
}

stop_ceph() {
	local state=${1:?usage: stop_ceph STATE_DIR}
	[ -d "$state" ] || return 0
	_ceph_stop "$state" rgw
	_ceph_stop "$state" osd
	_ceph_stop "$state" mon
	_srv_rundir_cleanup "$state"
	return 0
}

stop_rgw() {
	local state=${1:?usage: stop_rgw STATE_DIR}
	_ceph_stop "$state" rgw
}

start_rgw() {
	local state=${1:?usage: start_rgw STATE_DIR} rc
	local "${_CEPH_VARS[@]}"
	_ceph_load "$state" || return 1
	if _ceph_pid "$state" rgw >/dev/null; then
		_ceph_err "radosgw already running for $state"
		return 1
	fi
	if ! _ceph_pid "$state" osd >/dev/null || ! _ceph_pid "$state" mon >/dev/null; then
		_ceph_err "the cluster of $state is not running (start_ceph first)"
		return 1
	fi
	_ceph_log_mark "$state" client.rgw.a.log rgw.out
	rc=0
	_ceph_launch_rgw "$state" || rc=$?
	[ "$rc" = 0 ] && return 0
	_ceph_stop "$state" rgw
	_srv_dump_logs "$state/log/rgw.out" "$state/log/client.rgw.a.log"
	_ceph_err "radosgw did not start again (port $CEPH_RGW_PORT)"
	return 1
}

# s3_berth_config PREFIX: the [storage] and [s3] lines of a berth.ini that
# stores under key prefix PREFIX in this cluster's bucket (BERTH_S3_*).
s3_berth_config() {
	printf '[storage]\ndriver = s3\n[s3]\n'
	printf 'endpoint = %s\nregion = %s\nbucket = %s\nprefix = %s\n' \
		"${BERTH_S3_ENDPOINT:?start_ceph first}" "$BERTH_S3_REGION" \
		"$BERTH_S3_BUCKET" "$1"
	printf 'access_key = %s\nsecret_key = %s\n' "$BERTH_S3_ACCESS_KEY" \
		"$BERTH_S3_SECRET_KEY"
}

s3_cli() {
	local state=${BERTH_CEPH_STATE:?start_ceph first}
	s3cmd -c "$state/s3cfg" "$@"
}

# Percent-encode a query parameter name or value as SigV4 wants it (all
# but A-Za-z0-9-._~; an existing %XX is kept).
_ceph_qenc() {
	local LC_ALL=C s=$1 i c o=
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case "$c" in
		[A-Za-z0-9._~%-]) o+=$c ;;
		*) o+=$(printf '%%%02X' "'$c") ;;
		esac
	done
	printf '%s' "$o"
}

# Rewrite URL's query in SigV4's canonical form (parameters sorted, each
# with "=", values encoded, "/" as %2F), which is also what gets sent, so
# "?list-type=2&delimiter=/" and "?uploads" can be written as they are.
_ceph_canon_url() {
	local url=$1 part k v
	local -a parts out=()
	case "$url" in
	*\?*) ;;
	*) printf '%s\n' "$url"; return 0 ;;
	esac
	IFS='&' read -r -a parts <<<"${url#*\?}"
	for part in "${parts[@]}"; do
		[ -n "$part" ] || continue
		k=${part%%=*}
		v=
		case "$part" in *=*) v=${part#*=} ;; esac
		out+=("$(_ceph_qenc "$k")=$(_ceph_qenc "$v")")
	done
	if [ ${#out[@]} -eq 0 ]; then
		printf '%s\n' "${url%%\?*}"
		return 0
	fi
	printf '%s?%s\n' "${url%%\?*}" \
		"$(printf '%s\n' "${out[@]}" | LC_ALL=C sort | paste -sd '&')"
}

# _ceph_hmac HEXKEY DATA: HMAC-SHA256 of DATA, in hex.
_ceph_hmac() {
	printf '%s' "$2" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$1" |
		sed 's/^.*= *//'
}

# _ceph_sigv4 DATETIME CANONICAL_REQUEST: the signature, with this
# cluster's keys and region (from the caller's CEPH_ variables).
_ceph_sigv4() {
	local when=$1 creq=$2 k scope
	scope=${when%%T*}/$CEPH_REGION/s3/aws4_request
	k=$(printf 'AWS4%s' "$CEPH_SECRET_KEY" | od -An -v -tx1 | tr -d ' \n')
	k=$(_ceph_hmac "$k" "${when%%T*}")
	k=$(_ceph_hmac "$k" "$CEPH_REGION")
	k=$(_ceph_hmac "$k" s3)
	k=$(_ceph_hmac "$k" aws4_request)
	_ceph_hmac "$k" "$(printf 'AWS4-HMAC-SHA256\n%s\n%s\n%s' "$when" "$scope" \
		"$(printf '%s' "$creq" | sha256sum | cut -d' ' -f1)")"
}

# Split URL (canonical) into host, path and query.
_ceph_url_parts() {
	local rest=${1#*://}
	_u_host=${rest%%[/?]*}
	rest=${rest#"$_u_host"}
	_u_path=${rest%%\?*}
	[ -n "$_u_path" ] || _u_path=/
	_u_query=
	case "$rest" in *\?*) _u_query=${rest#*\?} ;; esac
}

# s3_curl [CURL ARGS...] URL|/PATH: curl, signed with SigV4 (header
# authentication) for the cluster of BERTH_CEPH_STATE.  A last argument
# starting with / is relative to BERTH_S3_ENDPOINT; its query is put in
# canonical form.  The method comes from -X (else -I: HEAD, -T: PUT,
# -d/--data*: POST, else GET); every -H header is signed (give -X, -H and
# -T as separate words, not bundled with other short options).  The
# payload is sent as UNSIGNED-PAYLOAD unless an x-amz-content-sha256
# header is given.  (curl's own --aws-sigv4 is not used: curl 7.88 sorts
# "name:value" lines, so x-amz-server-side-encryption together with
# x-amz-server-side-encryption-aws-kms-key-id gives SignatureDoesNotMatch.)
s3_curl() {
	local state=${BERTH_CEPH_STATE:?start_ceph first}
	local -a args=("$@") hdrs=() ours=()
	local "${_CEPH_VARS[@]}"
	_ceph_load "$state" || return 1
	local i a n v url method='' head='' upload='' data='' payload=''
	local when creq chdrs='' signed=''
	local _u_host _u_path _u_query
	if [ ${#args[@]} -eq 0 ]; then
		_ceph_err "usage: s3_curl [CURL ARGS...] URL|/PATH"
		return 2
	fi
	url=${args[-1]}
	case "$url" in
	/*) url=http://127.0.0.1:$CEPH_RGW_PORT$url ;;
	esac
	url=$(_ceph_canon_url "$url")
	args[-1]=$url
	for ((i = 0; i < ${#args[@]} - 1; i++)); do
		a=${args[i]}
		case "$a" in
		-X | --request) method=${args[i + 1]}; i=$((i + 1)) ;;
		-X?*) method=${a#-X} ;;
		-H | --header) hdrs+=("${args[i + 1]}"); i=$((i + 1)) ;;
		-T | --upload-file) upload=1; i=$((i + 1)) ;;
		-I | --head) head=1 ;;
		-d | --data | --data-binary | --data-raw | --data-ascii | --data-urlencode | -F | --form)
			data=1; i=$((i + 1)) ;;
		-o | -w | -u | -m | -e | -A | -b | -c | -r | -D | -K | -y | -Y | -z | -x | \
			--output | --write-out | --max-time | --connect-timeout | --range)
			i=$((i + 1)) ;;
		-[a-zA-Z]*[a-zA-Z])
			# a bundle of flags such as -sSfI
			case "$a" in *I*) head=1 ;; esac
			;;
		esac
	done
	if [ -z "$method" ]; then
		if [ -n "$head" ]; then method=HEAD
		elif [ -n "$upload" ]; then method=PUT
		elif [ -n "$data" ]; then method=POST
		else method=GET
		fi
	fi
	_ceph_url_parts "$url"
	when=$(date -u +%Y%m%dT%H%M%SZ)
	local -A hv=()
	for a in "${hdrs[@]}"; do
		case "$a" in *:*) ;; *) continue ;; esac
		n=${a%%:*}
		n=${n,,}
		v=${a#*:}
		v=${v#"${v%%[![:space:]]*}"}
		v=${v%"${v##*[![:space:]]}"}
		# "Name:" with no value removes a header in curl; not sent, not signed.
		[ -n "$v" ] || continue
		if [ -n "${hv[$n]+x}" ]; then hv[$n]+=",$v"; else hv[$n]=$v; fi
	done
	[ -n "${hv[host]+x}" ] || hv[host]=$_u_host
	if [ -n "${hv[x-amz-content-sha256]+x}" ]; then
		payload=${hv[x-amz-content-sha256]}
	else
		payload=UNSIGNED-PAYLOAD
		hv[x-amz-content-sha256]=$payload
		ours+=(-H "x-amz-content-sha256: $payload")
	fi
	if [ -n "${hv[x-amz-date]+x}" ]; then
		when=${hv[x-amz-date]}
	else
		hv[x-amz-date]=$when
		ours+=(-H "x-amz-date: $when")
	fi
	while read -r n; do
		chdrs+="$n:${hv[$n]}"$'\n'
		signed+="${signed:+;}$n"
	done < <(printf '%s\n' "${!hv[@]}" | LC_ALL=C sort)
	creq=$(printf '%s\n%s\n%s\n%s\n%s\n%s' "$method" "$_u_path" "$_u_query" \
		"$chdrs" "$signed" "$payload")
	a="AWS4-HMAC-SHA256 Credential=$CEPH_ACCESS_KEY/${when%%T*}/$CEPH_REGION/s3/aws4_request"
	a+=", SignedHeaders=$signed, Signature=$(_ceph_sigv4 "$when" "$creq")"
	curl -H "Authorization: $a" "${ours[@]}" "${args[@]}"
}

# s3_presign [-X METHOD] [-e SECONDS] URL|/PATH: print a presigned URL
# (SigV4 query authentication, X-Amz-Expires SECONDS, default 300) for the
# cluster of BERTH_CEPH_STATE.
s3_presign() {
	local state=${BERTH_CEPH_STATE:?start_ceph first}
	local "${_CEPH_VARS[@]}"
	_ceph_load "$state" || return 1
	local method=GET expires=300 url when q creq
	local _u_host _u_path _u_query
	while [ $# -gt 1 ]; do
		case "$1" in
		-X) method=$2; shift 2 ;;
		-e) expires=$2; shift 2 ;;
		*) _ceph_err "usage: s3_presign [-X METHOD] [-e SECONDS] URL|/PATH"; return 2 ;;
		esac
	done
	url=${1:?usage: s3_presign [-X METHOD] [-e SECONDS] URL|/PATH}
	case "$url" in
	/*) url=http://127.0.0.1:$CEPH_RGW_PORT$url ;;
	esac
	when=$(date -u +%Y%m%dT%H%M%SZ)
	q="X-Amz-Algorithm=AWS4-HMAC-SHA256"
	q+="&X-Amz-Credential=$CEPH_ACCESS_KEY/${when%%T*}/$CEPH_REGION/s3/aws4_request"
	q+="&X-Amz-Date=$when&X-Amz-Expires=$expires&X-Amz-SignedHeaders=host"
	case "$url" in
	*\?*) url+="&$q" ;;
	*) url+="?$q" ;;
	esac
	url=$(_ceph_canon_url "$url")
	_ceph_url_parts "$url"
	creq=$(printf '%s\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD' "$method" \
		"$_u_path" "$_u_query" "$_u_host")
	printf '%s&X-Amz-Signature=%s\n' "$url" "$(_ceph_sigv4 "$when" "$creq")"
}

rgw_debug() {
	local state=${1:?usage: rgw_debug STATE_DIR LEVEL} level=${2:?usage: rgw_debug STATE_DIR LEVEL}
	local "${_CEPH_VARS[@]}"
	_ceph_load "$state" || return 1
	timeout 30 ceph --admin-daemon "$CEPH_RUNDIR/ceph-client.rgw.a.asok" \
		config set debug_rgw "$level" >/dev/null
}

# rgw_ops_log [STATE_DIR]: print radosgw's ops log, one JSON object a line
# for each request, e.g. {..."operation":"put_obj","uri":"PUT /berth-test/k
# HTTP/1.1","http_status":"200",..."http_x_headers":[{"HTTP_X_AMZ_SERVER_
# SIDE_ENCRYPTION":"aws:kms"},...]...}; http_x_headers holds the request
# headers of BERTH_CEPH_LOG_HEADERS that the request had.
rgw_ops_log() {
	local state=${1:-${BERTH_CEPH_STATE:?start_ceph first}}
	cat "$state/log/ops.log"
}

# rgw_ops_grep ERE: print the ops log lines of the cluster of
# BERTH_CEPH_STATE that match ERE (grep -E), waiting up to 5 s for one to
# appear (radosgw writes the line just after its response); 1 if none.
rgw_ops_grep() {
	local state=${BERTH_CEPH_STATE:?start_ceph first} i
	for ((i = 0; i < 50; i++)); do
		grep -E -- "$1" "$state/log/ops.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

