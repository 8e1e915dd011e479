# lib_manifests.bash: helpers for the manifest, tag, referrer and catalog tests
# shellcheck shell=bash disable=SC2034
#
# Load after helpers.bash (`load helpers; load lib_manifests`).  Everything
# here builds on `reg` and the REG_* results, so it works in every mode.
# Manifests are written to files with printf, never re-serialized: the bytes
# in the file are the bytes sent, and their sha256 is the manifest digest.

MT_OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_OCI_INDEX=application/vnd.oci.image.index.v1+json
MT_OCI_CONFIG=application/vnd.oci.image.config.v1+json
MT_OCI_LAYER=application/vnd.oci.image.layer.v1.tar+gzip
MT_EMPTY=application/vnd.oci.empty.v1+json
MT_DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
MT_DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json
MT_DOCKER_CONFIG=application/vnd.docker.container.image.v1+json
MT_DOCKER_LAYER=application/vnd.docker.image.rootfs.diff.tar.gzip

# The OCI empty descriptor's blob: the two bytes "{}".
EMPTY_DIGEST=sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
EMPTY_SIZE=2

# A fresh file name under the test's temporary directory.
tmp_file() {
	printf '%s/%s.%s' "$BATS_TEST_TMPDIR" "$1" "$RANDOM$RANDOM"
}

size_of() {
	stat -c %s "$1"
}

# A digest that names nothing stored anywhere.
random_digest() {
	printf 'sha256:%s' "$(head -c 32 /dev/urandom | sha256sum | cut -d' ' -f1)"
}

# A value unique to this test run, for making manifest bytes unique so that
# on-disk checks cannot be confused by another test's content.
nonce() {
	printf '%s-%s' "$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')" "$BATS_TEST_NUMBER"
}

# put_manifest REPO REF FILE [MEDIATYPE]: PUT the file's exact bytes with
# Content-Type MEDIATYPE (default: the file's own "mediaType").
put_manifest() {
	local repo=$1 ref=$2 file=$3 mt=${4:-}
	[ -n "$mt" ] || mt=$(jq -r '.mediaType // empty' "$file")
	reg PUT "/v2/$repo/manifests/$ref" -f "$file" -H "Content-Type: $mt"
}

# What a client accepts when it pulls a manifest (as docker and containerd
# send it): every manifest type the registry stores.
MANIFEST_ACCEPT="Accept: $MT_OCI_MANIFEST, $MT_OCI_INDEX, $MT_DOCKER_MANIFEST, $MT_DOCKER_LIST"

# pull_manifest METHOD REPO REF: GET or HEAD a manifest as a client does.
pull_manifest() {
	reg "$1" "/v2/$2/manifests/$3" -H "$MANIFEST_ACCEPT"
}

# push_manifest REPO REF FILE [MEDIATYPE]: put_manifest that must succeed.
push_manifest() {
	put_manifest "$@"
	if [ "$REG_STATUS" != 201 ]; then
		echo "push_manifest $1 $2: status $REG_STATUS: $REG_BODY" >&2
		return 1
	fi
}

# push_empty_config REPO: push the empty JSON blob "{}" used as an artifact's
# config.
push_empty_config() {
	local f d
	f=$(tmp_file empty)
	printf '{}' >"$f"
	d=$(push_blob "$1" "$f") || return 1
	if [ "$d" != "$EMPTY_DIGEST" ]; then
		echo "push_empty_config: unexpected digest $d" >&2
		return 1
	fi
}

# write_oci_manifest FILE CONFIG_DIGEST CONFIG_SIZE LAYER_DIGEST LAYER_SIZE:
# an OCI image manifest with one layer and a unique annotation.
write_oci_manifest() {
	printf '{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":%d},"layers":[{"mediaType":"%s","digest":"%s","size":%d}],"annotations":{"test.nonce":"%s"}}' \
		"$MT_OCI_MANIFEST" "$MT_OCI_CONFIG" "$2" "$3" "$MT_OCI_LAYER" "$4" "$5" "$(nonce)" >"$1"
}

# write_index OUT MEDIATYPE MANIFEST_FILE...: an index (OCI index or Docker
# manifest list, by MEDIATYPE) of the given manifests, each described by its
# own mediaType, digest and size, with a platform.
write_index() {
	local out=$1 mt=$2 f sep='' arch=amd64 entries=''
	shift 2
	for f in "$@"; do
		entries+=$(printf '%s{"mediaType":"%s","digest":"%s","size":%d,"platform":{"architecture":"%s","os":"linux"}}' \
			"$sep" "$(jq -r .mediaType "$f")" "$(digest_of "$f")" "$(size_of "$f")" "$arch")
		sep=,
		arch=arm64
	done
	printf '{"schemaVersion":2,"mediaType":"%s","manifests":[%s]}' "$mt" "$entries" >"$out"
}

# push_artifact REPO ARTIFACT_TYPE [SUBJECT_DIGEST SUBJECT_SIZE [ANNOTATIONS]]
# pushes an artifact manifest (empty config, no layers) by digest; with a
# subject it refers to that manifest.  ANNOTATIONS is a JSON object.  Sets
# ART_FILE, ART_DIGEST and ART_SIZE.
push_artifact() {
	local repo=$1 at=$2 subject=${3:-} ssize=${4:-0} ann=${5:-}
	push_empty_config "$repo" || return 1
	ART_FILE=$(tmp_file artifact)
	{
		printf '{"schemaVersion":2,"mediaType":"%s","artifactType":"%s",' "$MT_OCI_MANIFEST" "$at"
		printf '"config":{"mediaType":"%s","digest":"%s","size":%d},"layers":[]' "$MT_EMPTY" "$EMPTY_DIGEST" "$EMPTY_SIZE"
		[ -n "$subject" ] &&
			printf ',"subject":{"mediaType":"%s","digest":"%s","size":%d}' "$MT_OCI_MANIFEST" "$subject" "$ssize"
		[ -n "$ann" ] && printf ',"annotations":%s' "$ann"
		printf '}'
	} >"$ART_FILE"
	ART_DIGEST=$(digest_of "$ART_FILE")
	ART_SIZE=$(size_of "$ART_FILE")
	push_manifest "$repo" "$ART_DIGEST" "$ART_FILE"
}

# Paths in the storage tree (see DESIGN.md).  The on-disk checks only ask
# whether an entry exists, so they hold whether a link is a file or a
# directory.
store_root() {
	if [ -z "${BERTH_STORE:-}" ]; then
		echo "BERTH_STORE is not set: cannot check the storage tree" >&2
		return 1
	fi
	printf '%s' "$BERTH_STORE"
}

blob_path() {
	local hex=${1#sha256:}
	store_root >/dev/null || return 1
	store_path "blobs/sha256/${hex:0:2}/$hex/data"
}

tag_path() {
	store_root >/dev/null || return 1
	store_path "repositories/$1/_manifests/tags/$2"
}

revision_path() {
	store_root >/dev/null || return 1
	store_path "repositories/$1/_manifests/revisions/sha256/${2#sha256:}"
}

# assert_stored DIGEST FILE: the blob store holds FILE's exact bytes.
assert_stored() {
	local p
	p=$(blob_path "$1") || fail "no storage root"
	if ! cmp -s "$p" "$2"; then
		batslib_print_kv_single 8 digest "$1" path "$p" |
			batslib_decorate 'stored bytes differ or are missing' | fail
	fi
}

# assert_exists PATH / refute_exists PATH: an entry of the storage tree
# exists or not.  An empty directory counts as absent (a driver may leave
# one behind after deleting a link); an empty PATH (no storage root) is a
# failure, never a pass.
assert_exists() {
	[ -n "$1" ] || { fail "no storage path to check"; return; }
	[ -e "$1" ] || fail "missing from the store: $1"
}

refute_exists() {
	[ -n "$1" ] || { fail "no storage path to check"; return; }
	[ ! -e "$1" ] || [ -z "$(find "$1" ! -type d -print -quit)" ] ||
		fail "should not be in the store: $1"
}

# refute_stored REPO DIGEST [TAG]: a refused manifest left nothing behind:
# no blob, no revision link in REPO, and no TAG.
refute_stored() {
	refute_exists "$(blob_path "$2")" || return
	refute_exists "$(revision_path "$1" "$2")" || return
	[ -z "${3:-}" ] || refute_exists "$(tag_path "$1" "$3")"
}

# assert_body_file FILE: the last response body is FILE's exact bytes.
assert_body_file() {
	if ! cmp -s "$REG_BODY_FILE" "$1"; then
		batslib_print_kv_single_or_multi 8 expected "$(cat "$1")" actual "$REG_BODY" |
			batslib_decorate 'body differs from the pushed bytes' | fail
	fi
}

# assert_body_empty: a HEAD (or similar) response carried no body.
assert_body_empty() {
	if [ -s "$REG_BODY_FILE" ]; then
		batslib_print_kv_single 8 body "$REG_BODY" |
			batslib_decorate 'expected an empty body' | fail
	fi
}

# assert_location PATH: Location names PATH, either as a path or as an
# absolute URL on this registry.
assert_location() {
	local want
	want=$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|]/\\&/g')
	assert_header Location "^([a-z]+://[^/]+)?$want\$"
}

# link_next: the target of the rel="next" Link of the last response as
# path?query (an absolute URL loses its scheme and host); empty when none.
link_next() {
	local l next='<([^>]*)>[^,]*rel="?next"?' abs='^[a-z]+://[^/]+(/.*)$'
	l=$(header Link)
	[[ "$l" =~ $next ]] || return 0
	l=${BASH_REMATCH[1]}
	[[ "$l" =~ $abs ]] && l=${BASH_REMATCH[1]}
	printf '%s' "$l"
}

# query_param URL NAME: the percent-decoded value of NAME in URL's query.
query_param() {
	local q=${1#*\?} kv v
	[[ "$1" == *\?* ]] || return 0
	local IFS='&'
	for kv in $q; do
		if [ "${kv%%=*}" = "$2" ]; then
			v=${kv#*=}
			v=${v//+/ }
			printf '%b' "${v//%/\\x}"
			return 0
		fi
	done
}

# assert_next_link N LAST: the response has a rel="next" Link whose query
# has n=N and last=LAST.
assert_next_link() {
	local url
	url=$(link_next)
	if [ -z "$url" ] ||
		[ "$(query_param "$url" n)" != "$1" ] ||
		[ "$(query_param "$url" last)" != "$2" ]; then
		batslib_print_kv_single_or_multi 8 'expected n' "$1" \
			'expected last' "$2" Link "$(header Link)" |
			batslib_decorate 'missing or wrong rel="next" Link' | fail
	fi
}

# push_image_blobs REPO: push a config and a 1000-byte layer to REPO; sets
# CFG, CFG_SIZE, LAYER and LAYER_SIZE.
push_image_blobs() {
	local c l
	c=$(tmp_file config)
	l=$(tmp_file layer)
	printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"nonce":"%s"}' "$(nonce)" >"$c"
	random_file "$l" 1000
	CFG=$(push_blob "$1" "$c") || return 1
	CFG_SIZE=$(size_of "$c")
	LAYER=$(push_blob "$1" "$l") || return 1
	LAYER_SIZE=1000
}
