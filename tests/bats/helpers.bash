# helpers.bash: shared helpers for the bats suite (load with `load helpers`)
# shellcheck shell=bash
#
# The same protocol tests run in three modes, chosen by the runner (tests/run):
#   BERTH_MODE=cgi   each request runs a program as plain CGI (no web server);
#                    every test gets its own config and storage under
#                    $BATS_TEST_TMPDIR;
#   BERTH_MODE=http  requests go with curl to $BERTH_URL (lighttpd or Apache
#                    started by the runner); $BERTH_STORE is its storage root.
# and over one of two storage drivers, chosen by BERTH_DRIVER:
#   filesystem       (the default) $BERTH_STORE is the storage root;
#   s3               a bucket of the radosgw the runner started (BERTH_S3_*,
#                    BERTH_CEPH_STATE from tests/lib/ceph.bash), under the
#                    key prefix BERTH_S3_PREFIX; $BERTH_STORE is then a local
#                    mirror that the store_path helpers fill on demand, so
#                    the same checks of the storage tree hold for both.
# Tests use `reg` for requests and unique repository names from `new_repo`,
# so that they never depend on what another test stored.

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

: "${BERTH_MODE:=cgi}"
: "${BERTH_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BERTH_BUILDDIR:=$BERTH_SRCDIR}"

# Results of the last request.
REG_STATUS=
REG_HEADERS=
REG_BODY=
REG_BODY_FILE=

if [ "${BERTH_DRIVER:-filesystem}" = s3 ]; then
	# shellcheck source=../lib/servers.bash disable=SC1091
	. "$BERTH_SRCDIR/tests/lib/servers.bash"
	# shellcheck source=../lib/ceph.bash disable=SC1091
	. "$BERTH_SRCDIR/tests/lib/ceph.bash"
fi

# storage_config: the [storage] (and [s3]) lines for BERTH_DRIVER, storing
# under BERTH_STORE (filesystem) or BERTH_S3_PREFIX (s3).
storage_config() {
	if [ "${BERTH_DRIVER:-filesystem}" != s3 ]; then
		printf '[storage]\ndriver = filesystem\npath = %s\n' "$BERTH_STORE"
		return
	fi
	s3_berth_config "$BERTH_S3_PREFIX"
	printf 'timeout = 10\nretries = 2\n'
}

# Write a config for CGI mode.  Extra lines (key = value under [section]
# headers) may be passed as arguments and are appended verbatim.
write_config() {
	BERTH_STORE=${BERTH_CGI_STORE:-$BATS_TEST_TMPDIR/store}
	mkdir -p "$BERTH_STORE"
	BERTH_CONFIG=$BATS_TEST_TMPDIR/berth.ini
	if [ "${BERTH_DRIVER:-filesystem}" = s3 ] && [ -z "${BERTH_CGI_STORE:-}" ]; then
		# A key prefix of its own: every test starts with an empty store.
		BERTH_S3_PREFIX=cgi/${BATS_TEST_FILENAME##*/}/$BATS_TEST_NUMBER-$RANDOM$RANDOM
		export BERTH_S3_PREFIX
	fi
	{
		storage_config
		printf '[registry]\ndelete = true\n'
		printf '[log]\nlevel = warn\nfile = %s\n' "$BATS_TEST_TMPDIR/berth.log"
		local l
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$BERTH_CONFIG"
	export BERTH_CONFIG BERTH_STORE
}

# Default per-test setup: CGI mode gets a fresh config and store.
berth_setup() {
	if [ "$BERTH_MODE" = cgi ]; then
		write_config
	fi
}

setup() {
	berth_setup
}

# store_path REL: the local path of REL (a key or key prefix of the
# storage tree, e.g. blobs/sha256/ab/<hex>/data).  With the s3 driver,
# REL's objects are first copied from the bucket into the mirror (what was
# there before is dropped), so that -e, -d, cmp and find see the bucket.
store_path() {
	local rel=$1
	if [ "${BERTH_DRIVER:-filesystem}" = s3 ]; then
		_s3_mirror "$rel" || return 1
	fi
	printf '%s/%s' "${BERTH_STORE:?BERTH_STORE is not set}" "$rel"
}

# Copy the object REL and everything under REL/ into $BERTH_STORE/REL.
_s3_mirror() {
	local rel=$1 pfx=${BERTH_S3_PREFIX%/}/ key list='' page token=''
	rm -rf "${BERTH_STORE:?}/$rel"
	while :; do
		page=$(s3_curl -sf "/$BERTH_S3_BUCKET?list-type=2&prefix=$pfx$rel${token:+&continuation-token=$token}") || {
			echo "store_path: cannot list $pfx$rel in the bucket" >&2
			return 1
		}
		list+=$page
		token=$(printf '%s' "$page" | sed -n 's/.*<NextContinuationToken>\([^<]*\)<.*/\1/p')
		[ -n "$token" ] || break
	done
	while read -r key; do
		case "$key" in
		"$pfx$rel" | "$pfx$rel"/*) ;;
		*) continue ;;
		esac
		mkdir -p "$(dirname "$BERTH_STORE/${key#"$pfx"}")"
		s3_curl -sf -o "$BERTH_STORE/${key#"$pfx"}" "/$BERTH_S3_BUCKET/$key" || {
			echo "store_path: cannot fetch $key" >&2
			return 1
		}
	done < <(printf '%s' "$list" | grep -o '<Key>[^<]*</Key>' |
		sed -e 's/<Key>//' -e 's/<\/Key>//' -e 's/&amp;/\&/g')
}

# A repository name unique to this test (valid OCI grammar).
new_repo() {
	local f=${BATS_TEST_FILENAME##*/}
	f=${f%.bats}
	f=$(printf '%s' "$f" | tr -c 'a-z0-9' 'x')
	printf 't/%s/n%s-r%s%s' "$f" "$BATS_TEST_NUMBER" "$RANDOM" "${1:+/$1}"
}

# Which program serves a path (mirrors the web server routing).
program_for() {
	local path=$1
	case "$path" in
	/v2/ | /v2 | /v2/_catalog) echo berth-catalog ;;
	/auth/*) echo berth-token ;;
	*/manifests/* | */tags/list | */referrers/*) echo berth-manifests ;;
	*/blobs/*) echo berth-blobs ;;
	*) echo berth-catalog ;;
	esac
}

# Split a raw CGI/HTTP header block into REG_STATUS and REG_HEADERS.
_parse_headers() {
	local file=$1 line first=1
	REG_HEADERS=
	REG_STATUS=
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%$'\r'}
		[ -z "$line" ] && break
		if [ "$first" = 1 ] && [[ "$line" == HTTP/* ]]; then
			REG_STATUS=$(printf '%s' "$line" | awk '{print $2}')
			first=0
			continue
		fi
		first=0
		if [[ "${line,,}" == status:* ]]; then
			REG_STATUS=$(printf '%s' "${line#*:}" | awk '{print $1}')
			continue
		fi
		REG_HEADERS+="$line"$'\n'
	done <"$file"
	: "${REG_STATUS:=200}"
}

# reg_cgi METHOD PATH[?QUERY] [options]: run the program as plain CGI.
# Options: -d STRING (body), -f FILE (body from file), -H 'Name: value',
# -e NAME=VALUE (a request variable a web server would set, not a header).
reg_cgi() {
	local method=$1 url=$2
	shift 2
	local path=${url%%\?*} query=
	[[ "$url" == *\?* ]] && query=${url#*\?}
	local bodyfile=$BATS_TEST_TMPDIR/reqbody.$$ out=$BATS_TEST_TMPDIR/cgiout.$$
	: >"$bodyfile"
	local -a envs=()
	while [ $# -gt 0 ]; do
		case "$1" in
		-d) printf '%s' "$2" >"$bodyfile"; shift 2 ;;
		-f) cp "$2" "$bodyfile"; shift 2 ;;
		-H)
			local name=${2%%:*} value=${2#*:}
			value=${value# }
			name=${name^^}
			name=${name//-/_}
			case "$name" in
			CONTENT_TYPE | CONTENT_LENGTH) envs+=("$name=$value") ;;
			*) envs+=("HTTP_$name=$value") ;;
			esac
			shift 2
			;;
		-e) envs+=("$2"); shift 2 ;;
		*) echo "reg_cgi: unknown option $1" >&2; return 2 ;;
		esac
	done
	local len
	len=$(stat -c %s "$bodyfile")
	local -a base=(REQUEST_METHOD="$method" PATH_INFO="$path" SCRIPT_NAME=
		QUERY_STRING="$query" GATEWAY_INTERFACE=CGI/1.1
		SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=localhost SERVER_PORT=80
		REMOTE_ADDR=127.0.0.1 HTTP_HOST=localhost
		BERTH_CONFIG="$BERTH_CONFIG")
	if [ "$len" -gt 0 ] || [ "$method" = PUT ] || [ "$method" = PATCH ] || [ "$method" = POST ]; then
		base+=(CONTENT_LENGTH="$len")
	fi
	local prog
	prog=$BERTH_BUILDDIR/cgi-bin/$(program_for "$path")
	env -i PATH="$PATH" ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" "${base[@]}" "${envs[@]}" "$prog" <"$bodyfile" >"$out" 2>"$BATS_TEST_TMPDIR/cgierr.$$"
	# Split header block and body at the first empty line, byte-exact.
	local hdr=$BATS_TEST_TMPDIR/cgihdr.$$
	REG_BODY_FILE=$BATS_TEST_TMPDIR/body.$$
	perl -e 'local $/; my $d = <STDIN>; my ($h, $b) = ($d, "");
		if ($d =~ /\r?\n\r?\n/) { $h = substr($d, 0, $-[0]) . "\n"; $b = substr($d, $+[0]) }
		open(my $fh, ">", $ARGV[0]) or die; print $fh $h;
		open(my $fb, ">", $ARGV[1]) or die; binmode $fb; print $fb $b;' \
		"$hdr" "$REG_BODY_FILE" <"$out"
	_parse_headers "$hdr"
	REG_BODY=$(cat "$REG_BODY_FILE")
}

# reg_http METHOD PATH[?QUERY] [options]: the same request with curl.
reg_http() {
	local method=$1 url=$2
	shift 2
	local -a args=()
	local hdr=$BATS_TEST_TMPDIR/httphdr.$$
	REG_BODY_FILE=$BATS_TEST_TMPDIR/body.$$
	while [ $# -gt 0 ]; do
		case "$1" in
		-d) printf '%s' "$2" >"$BATS_TEST_TMPDIR/reqbody.$$"
			args+=(--data-binary "@$BATS_TEST_TMPDIR/reqbody.$$"); shift 2 ;;
		-f) args+=(--data-binary "@$2"); shift 2 ;;
		-H) args+=(-H "$2"); shift 2 ;;
		*) echo "reg_http: unknown option $1" >&2; return 2 ;;
		esac
	done
	if [ "$method" = HEAD ]; then
		args+=(--head)
	else
		args+=(-X "$method")
	fi
	# An empty Content-Type stops curl adding form encoding to bodies.
	curl -sS -g -o "$REG_BODY_FILE" -D "$hdr" -H 'Content-Type:' -H 'Expect:' \
		"${args[@]}" "$BERTH_URL$url" || true
	# curl --head writes the header block to -o as well: HTTP gives a HEAD
	# response no body (the CGI mode checks that the programs send none).
	if [ "$method" = HEAD ] || [ ! -f "$REG_BODY_FILE" ]; then
		: >"$REG_BODY_FILE"
	fi
	_parse_headers "$hdr"
	REG_BODY=$(cat "$REG_BODY_FILE")
}

# reg METHOD PATH [options]: one request in the current mode.
reg() {
	if [ "$BERTH_MODE" = http ]; then
		reg_http "$@"
	else
		reg_cgi "$@"
	fi
}

# The value of a response header (case-insensitive name), first occurrence.
header() {
	printf '%s' "$REG_HEADERS" | awk -v n="${1,,}" 'BEGIN{FS=":"}
		{ k=tolower($1); if (k == n) { v=substr($0, length($1) + 2); sub(/^[ \t]+/, "", v); print v; exit } }'
}

assert_status() {
	if [ "$REG_STATUS" != "$1" ]; then
		batslib_print_kv_single_or_multi 8 expected "$1" actual "$REG_STATUS" \
			headers "$REG_HEADERS" body "$REG_BODY" |
			batslib_decorate 'unexpected HTTP status' | fail
	fi
}

# assert_header NAME REGEX: the header exists and matches the ERE.
assert_header() {
	local v
	v=$(header "$1")
	if ! printf '%s' "$REG_HEADERS" | grep -qi "^$1:"; then
		batslib_print_kv_single_or_multi 8 header "$1" headers "$REG_HEADERS" |
			batslib_decorate 'header missing' | fail
		return
	fi
	if [ $# -ge 2 ] && ! [[ "$v" =~ $2 ]]; then
		batslib_print_kv_single_or_multi 8 header "$1" expected "$2" actual "$v" |
			batslib_decorate 'header does not match' | fail
	fi
}

refute_header() {
	if printf '%s' "$REG_HEADERS" | grep -qi "^$1:"; then
		batslib_print_kv_single 8 header "$1" value "$(header "$1")" |
			batslib_decorate 'header present but should not be' | fail
	fi
}

# assert_json JQ_EXPR: the body is JSON and the expression is true.
assert_json() {
	if ! jq -e "$1" "$REG_BODY_FILE" >/dev/null 2>&1; then
		batslib_print_kv_single_or_multi 8 expression "$1" body "$REG_BODY" |
			batslib_decorate 'JSON assertion failed' | fail
	fi
}

# assert_error STATUS CODE: the spec's error body with that code.
assert_error() {
	assert_status "$1"
	assert_json ".errors | length >= 1"
	assert_json ".errors[0].code == \"$2\""
	assert_json '.errors[0].message | type == "string"'
}

# sha256 digest ("sha256:...") of a file.
digest_of() {
	printf 'sha256:%s' "$(sha256sum "$1" | cut -d' ' -f1)"
}

# A file of N random bytes at PATH.
random_file() {
	head -c "$2" /dev/urandom >"$1"
}

# push_blob REPO FILE: monolithic upload; prints the digest.  Fails loudly.
push_blob() {
	local repo=$1 file=$2 d
	d=$(digest_of "$file")
	reg POST "/v2/$repo/blobs/uploads/?digest=$d" -f "$file" \
		-H 'Content-Type: application/octet-stream'
	if [ "$REG_STATUS" != 201 ]; then
		echo "push_blob $repo $file: status $REG_STATUS: $REG_BODY" >&2
		return 1
	fi
	printf '%s' "$d"
}

# make_image REPO [TAG]: pushes a config and one layer and an OCI manifest
# referencing them; sets IMG_CONFIG, IMG_LAYER, IMG_MANIFEST (file),
# IMG_DIGEST.  With TAG the manifest is pushed by tag, else by digest.
make_image() {
	local repo=$1 tag=${2:-}
	local dir=$BATS_TEST_TMPDIR/img.$RANDOM
	mkdir -p "$dir"
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"n":%d}' "$RANDOM" >"$dir/config.json"
	random_file "$dir/layer" 1000
	IMG_CONFIG=$(push_blob "$repo" "$dir/config.json") || return 1
	IMG_LAYER=$(push_blob "$repo" "$dir/layer") || return 1
	IMG_MANIFEST=$dir/manifest.json
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%d}]}' \
		"$IMG_CONFIG" "$(stat -c %s "$dir/config.json")" "$IMG_LAYER" 1000 >"$IMG_MANIFEST"
	IMG_DIGEST=$(digest_of "$IMG_MANIFEST")
	reg PUT "/v2/$repo/manifests/${tag:-$IMG_DIGEST}" -f "$IMG_MANIFEST" \
		-H 'Content-Type: application/vnd.oci.image.manifest.v1+json'
	if [ "$REG_STATUS" != 201 ]; then
		echo "make_image $repo: status $REG_STATUS: $REG_BODY" >&2
		return 1
	fi
}
