# clients.bash: helpers for the real-client tests (80-skopeo .. 83-ctr)
# shellcheck shell=bash
#
# Load after helpers.bash.  These tests drive real registry clients (skopeo,
# umoci, podman, docker, ctr) against a registry the runner started, so
# they only run with BERTH_MODE=http:
#   BERTH_URL        http://127.0.0.1:PORT
#   BERTH_HOSTPORT   127.0.0.1:PORT (what the clients are given)
#   BERTH_STORE      the registry's storage root on disk
#   BERTH_BLOBS_DIR  where the blob tree lives; defaults to $BERTH_STORE/blobs
#                    (layout <dir>/sha256/<first 2 hex>/<hex>/data)
# Every client is pointed at plain HTTP explicitly.  Client state lives in
# $BATS_FILE_TMPDIR, except the containers/image blob info cache (skopeo
# and podman use it to find blobs they can mount across repositories).

# Media types.
MT_OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_OCI_INDEX=application/vnd.oci.image.index.v1+json
MT_DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
MT_DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json
MT_ACCEPT_ALL="$MT_OCI_MANIFEST, $MT_OCI_INDEX, $MT_DOCKER_MANIFEST, $MT_DOCKER_LIST"

# True when a registry is there to test against.
clients_enabled() {
	[ "$BERTH_MODE" = http ] && [ -n "${BERTH_URL:-}" ] &&
		[ -n "${BERTH_HOSTPORT:-}" ] && [ -n "${BERTH_STORE:-}" ]
}

# Per-test setup for client tests: skip without a registry (bats 1.8 cannot
# skip from setup_file, so setup_file just returns early in that case).
clients_setup() {
	clients_enabled || skip "real clients need BERTH_MODE=http and a running registry"
	berth_setup
}

# require_cmds CMD...: fail (never skip) when a client is missing.
require_cmds() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || {
			echo "required command '$c' not found" >&2
			return 1
		}
	done
}

# Isolate containers/image clients (skopeo, podman) from the host's auth
# and registries configuration.
containers_isolate() {
	mkdir -p "$BATS_FILE_TMPDIR/containers"
	printf '{"auths":{}}\n' >"$BATS_FILE_TMPDIR/containers/auth.json"
	printf 'unqualified-search-registries = []\n' \
		>"$BATS_FILE_TMPDIR/containers/registries.conf"
	export REGISTRY_AUTH_FILE=$BATS_FILE_TMPDIR/containers/auth.json
	export CONTAINERS_REGISTRIES_CONF=$BATS_FILE_TMPDIR/containers/registries.conf
}

# ---------------------------------------------------------------------------
# Registry-side checks (plain curl, independent of any client)

# sha256 digest of stdin.
digest_stdin() {
	printf 'sha256:%s' "$(sha256sum | cut -d' ' -f1)"
}

# fetch_manifest REPO REF: GET the manifest with every known Accept type.
# Fails unless the status is 200 and Docker-Content-Digest matches the
# body.  Sets MF_FILE (the body), MF_DIGEST and MF_TYPE.
fetch_manifest() {
	local repo=$1 ref=$2
	reg GET "/v2/$repo/manifests/$ref" -H "Accept: $MT_ACCEPT_ALL"
	assert_status 200
	MF_FILE=$BATS_TEST_TMPDIR/manifest.$RANDOM
	cp "$REG_BODY_FILE" "$MF_FILE"
	MF_DIGEST=$(header Docker-Content-Digest)
	MF_TYPE=$(header Content-Type)
	MF_TYPE=${MF_TYPE%%;*}
	local body
	body=$(digest_of "$MF_FILE")
	if [ "$MF_DIGEST" != "$body" ]; then
		batslib_print_kv_single_or_multi 8 Docker-Content-Digest "$MF_DIGEST" \
			'digest of body' "$body" | batslib_decorate 'manifest digest mismatch' | fail
	fi
}

# assert_manifest REPO REF DIGEST [MEDIATYPE]: GET and HEAD both answer with
# this digest (and media type); the body hashes to it.
assert_manifest() {
	local repo=$1 ref=$2 want=$3 type=${4:-}
	fetch_manifest "$repo" "$ref"
	assert_equal "$MF_DIGEST" "$want"
	[ -z "$type" ] || assert_equal "$MF_TYPE" "$type"
	reg HEAD "/v2/$repo/manifests/$ref" -H "Accept: $MT_ACCEPT_ALL"
	assert_status 200
	assert_equal "$(header Docker-Content-Digest)" "$want"
	assert_equal "$(header Content-Length)" "$(stat -c %s "$MF_FILE")"
}

# assert_blob REPO DIGEST FILE: the registry serves exactly FILE's bytes for
# DIGEST in REPO (HEAD and GET).
assert_blob() {
	local repo=$1 d=$2 file=$3
	reg HEAD "/v2/$repo/blobs/$d"
	assert_status 200
	assert_equal "$(header Content-Length)" "$(stat -c %s "$file")"
	assert_equal "$(header Docker-Content-Digest)" "$d"
	reg GET "/v2/$repo/blobs/$d"
	assert_status 200
	if ! cmp -s "$REG_BODY_FILE" "$file"; then
		fail "blob $d in $repo differs from $file"
	fi
}

# manifest_blobs FILE: config and layer digests of an image manifest.
manifest_blobs() {
	jq -r '.config.digest, .layers[].digest' "$1"
}

# assert_blobs_on_disk [DIGEST...]: every file under the store's blob tree
# sits at <alg>/<first 2 hex>/<hex>/data and hashes to <hex>; each DIGEST
# given is present there.
assert_blobs_on_disk() {
	local dir=${BERTH_BLOBS_DIR:-$BERTH_STORE/blobs}
	if [ "${BERTH_DRIVER:-filesystem}" = s3 ]; then
		# The whole tree is too big to fetch for every test: fetch the
		# named blobs only (store_path), and check those.
		dir=$BERTH_STORE/blobs
		rm -rf "$dir"
		local d h
		for d in "$@"; do
			h=${d#sha256:}
			store_path "blobs/sha256/${h:0:2}/$h" >/dev/null ||
				fail "cannot fetch blob $d from the bucket"
		done
	fi
	[ -d "$dir" ] || fail "no blob directory $dir"
	local bad n
	# shellcheck disable=SC2016
	bad=$(cd "$dir" && {
		find . -mindepth 1 \( -type f -o -type l \) ! -path './sha512/*' -print0 |
			xargs -0 -r sha256sum 2>/dev/null
		find . -mindepth 1 \( -type f -o -type l \) -path './sha512/*' -print0 |
			xargs -0 -r sha512sum 2>/dev/null
	} | awk '
		{
			sum = $1; p = $2; sub(/^\.\//, "", p)
			n = split(p, f, "/")
			want = f[1] == "sha512" ? 128 : 64
			if (n != 4 || (f[1] != "sha256" && f[1] != "sha512") ||
			    f[4] != "data" || f[3] !~ /^[0-9a-f]+$/ ||
			    length(f[3]) != want || substr(f[3], 1, 2) != f[2])
				print "misplaced file: " p
			else if (sum != f[3])
				print "content does not match name: " p " hashes to " sum
		}')
	if [ -n "$bad" ]; then
		batslib_print_kv_single_or_multi 8 'blob dir' "$dir" problems "$bad" |
			batslib_decorate 'blob store is inconsistent' | fail
		return
	fi
	n=$(find "$dir" -type f -name data | wc -l)
	[ "$n" -gt 0 ] || fail "no blobs under $dir"
	local d hex
	for d in "$@"; do
		hex=${d#sha256:}
		[ -f "$dir/sha256/${hex:0:2}/$hex/data" ] ||
			fail "blob $d is not stored at $dir/sha256/${hex:0:2}/$hex/data"
	done
}

# ---------------------------------------------------------------------------
# OCI layouts built locally with umoci (no network)

: "${CLIENTS_LAYER_BYTES:=65536}"

# oci_build LAYOUT TAG NLAYERS [ARCH]: an image of NLAYERS layers, each
# holding one file /<tag>/layerN of random bytes (copies of the files are
# kept in LAYOUT.files/TAG/ for comparisons).  The command is /<tag>/layer1.
oci_build() {
	local oci=$1 tag=$2 n=$3 arch=${4:-amd64}
	local work=$oci.files/$tag i
	[ -d "$oci" ] || umoci init --layout "$oci" || return 1
	umoci new --image "$oci:$tag" || return 1
	umoci config --image "$oci:$tag" --architecture "$arch" --os linux \
		--config.cmd "/$tag/layer1" --config.label "berth.test=$tag" || return 1
	for i in $(seq 1 "$n"); do
		mkdir -p "$work/l$i/$tag"
		head -c "$CLIENTS_LAYER_BYTES" /dev/urandom >"$work/l$i/$tag/layer$i"
		cp "$work/l$i/$tag/layer$i" "$work/layer$i"
		tar -C "$work/l$i" --owner=0 --group=0 -cf "$work/l$i.tar" "$tag" || return 1
		umoci raw add-layer --image "$oci:$tag" "$work/l$i.tar" || return 1
	done
	umoci gc --layout "$oci"
}

# oci_ref_digest LAYOUT TAG: digest of what TAG points at in index.json.
oci_ref_digest() {
	jq -r --arg t "$2" '.manifests[] |
		select(.annotations["org.opencontainers.image.ref.name"] == $t) |
		.digest' "$1/index.json"
}

# oci_blob LAYOUT DIGEST: path of a blob in the layout.
oci_blob() {
	printf '%s/blobs/%s/%s' "$1" "${2%%:*}" "${2#*:}"
}

# oci_index LAYOUT TAG TAG...: an image index named TAG over the images
# with the other tags, each with its platform taken from its config.
oci_index() {
	local oci=$1 tag=$2 t m cfg entries=
	shift 2
	for t in "$@"; do
		m=$(oci_ref_digest "$oci" "$t")
		cfg=$(jq -r .config.digest "$(oci_blob "$oci" "$m")")
		entries+=$(jq -c -n --arg d "$m" \
			--argjson s "$(stat -c %s "$(oci_blob "$oci" "$m")")" \
			--slurpfile c "$(oci_blob "$oci" "$cfg")" \
			'{mediaType: "'"$MT_OCI_MANIFEST"'", digest: $d, size: $s,
			  platform: {architecture: $c[0].architecture, os: $c[0].os}}')
		entries+=$'\n'
	done
	local tmp=$oci.index.$$ d
	printf '%s' "$entries" | jq -c -s \
		'{schemaVersion: 2, mediaType: "'"$MT_OCI_INDEX"'", manifests: .}' >"$tmp"
	d=$(digest_of "$tmp")
	mv "$tmp" "$(oci_blob "$oci" "$d")"
	jq --arg d "$d" --arg t "$tag" \
		--argjson s "$(stat -c %s "$(oci_blob "$oci" "$d")")" \
		'.manifests += [{mediaType: "'"$MT_OCI_INDEX"'", digest: $d, size: $s,
		  annotations: {"org.opencontainers.image.ref.name": $t}}]' \
		"$oci/index.json" >"$tmp" && mv "$tmp" "$oci/index.json"
}

# assert_same_blob FILE_A FILE_B: byte-for-byte equal.
assert_same_blob() {
	[ -f "$2" ] || fail "missing $2"
	cmp -s "$1" "$2" || fail "$2 differs from $1"
}

# skcopy SRC DEST [options]: skopeo copy over plain HTTP on both sides.
skcopy() {
	local src=$1 dst=$2
	shift 2
	skopeo copy --quiet --src-tls-verify=false --dest-tls-verify=false \
		"$@" "$src" "$dst"
}

# ---------------------------------------------------------------------------
# podman with all its state in one directory

# podman_in DIR ARGS...: podman on the vfs store under DIR (nothing shared
# with the host's /var/lib/containers).
podman_in() {
	local d=$1
	shift
	podman --root "$d/root" --runroot "$d/run" --tmpdir "$d/tmp" \
		--storage-driver vfs --events-backend none --cgroup-manager cgroupfs \
		"$@"
}

# ---------------------------------------------------------------------------
# A private dockerd (its containerd serves ctr too)

# dockerd_start: start dockerd with all state under $BATS_FILE_TMPDIR (or a
# short /tmp directory when that path is too long for unix sockets) and
# export DOCKER_HOST, DOCKER_CONFIG and CONTAINERD_ADDRESS.
dockerd_start() {
	local d=$BATS_FILE_TMPDIR/dk
	if [ "${#d}" -gt 60 ]; then
		d=$(mktemp -d /tmp/berth-dk.XXXXXX)
		DOCKERD_OWN_DIR=$d
	else
		DOCKERD_OWN_DIR=
	fi
	export DOCKERD_OWN_DIR
	mkdir -p "$d/cfg"
	export DOCKERD_DIR=$d
	export DOCKER_HOST=unix://$d/docker.sock DOCKER_CONFIG=$d/cfg
	export DOCKER_BUILDKIT=0 DOCKER_CLI_EXPERIMENTAL=enabled
	export CONTAINERD_ADDRESS=$d/exec/containerd/containerd.sock
	dockerd --storage-driver=vfs --iptables=false --ip6tables=false \
		--bridge=none --data-root "$d/root" --exec-root "$d/exec" \
		--pidfile "$d/dockerd.pid" --host "$DOCKER_HOST" \
		</dev/null >"$d/log" 2>&1 3>&- &
	export DOCKERD_PID=$!
	local i
	for i in $(seq 1 150); do
		if docker version >/dev/null 2>&1 && [ -S "$CONTAINERD_ADDRESS" ]; then
			return 0
		fi
		kill -0 "$DOCKERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "dockerd did not start; log:" >&2
	cat "$d/log" >&2
	return 1
}

# dockerd_stop: stop our dockerd by PID and wait for it and its containerd.
dockerd_stop() {
	[ -n "${DOCKERD_PID:-}" ] || return 0
	local d=$DOCKERD_DIR cpid="" i
	[ -f "$d/exec/containerd/containerd.pid" ] &&
		cpid=$(cat "$d/exec/containerd/containerd.pid")
	kill "$DOCKERD_PID" 2>/dev/null
	for i in $(seq 1 100); do
		kill -0 "$DOCKERD_PID" 2>/dev/null ||
			{ [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; } || break
		sleep 0.1
	done
	if kill -0 "$DOCKERD_PID" 2>/dev/null; then
		echo "dockerd $DOCKERD_PID did not stop; killing it" >&2
		kill -9 "$DOCKERD_PID" 2>/dev/null
	fi
	if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then
		echo "containerd $cpid outlived dockerd; killing it" >&2
		kill -9 "$cpid" 2>/dev/null
	fi
	wait "$DOCKERD_PID" 2>/dev/null
	# dockerd bind-mounts its data root onto itself; make sure it is gone.
	local m
	while read -r _ m _; do
		case "$m" in "$d"/*) umount -l "$m" 2>/dev/null ;; esac
	done </proc/mounts
	if [ -n "${DOCKERD_OWN_DIR:-}" ]; then
		rm -rf "$DOCKERD_OWN_DIR"
	fi
	DOCKERD_PID=
}

# docker_file_of IMAGE PATH OUT: copy PATH out of IMAGE (no container runs).
docker_file_of() {
	local c
	c=$(docker create "$1" /none) || return 1
	docker cp "$c:$2" "$3" || { docker rm "$c" >/dev/null; return 1; }
	docker rm "$c" >/dev/null
}
