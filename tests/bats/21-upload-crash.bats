#!/usr/bin/env bats
# 21-upload-crash.bats: kill -9 in the middle of uploads, and concurrent
# writers, never leave a half-written blob, manifest or tag visible.
# The programs run as plain CGI here so that the test can kill the very
# process that is writing.
# modes: cgi

load helpers

setup() {
	write_config
}

# Every file under blobs/ must hash to its own name.
assert_blobs_consistent() {
	local f hex bad=0 n=0
	while IFS= read -r f; do
		n=$((n + 1))
		hex=$(basename "$(dirname "$f")")
		if [ "$(sha256sum "$f" | cut -d' ' -f1)" != "$hex" ]; then
			echo "blob file $f does not hash to its name" >&2
			bad=1
		fi
	done < <(find "$BERTH_STORE/blobs" -type f 2>/dev/null)
	[ "$bad" = 0 ]
	# Nothing but complete blobs: no temporary files under blobs/.
	[ ! -d "$BERTH_STORE/blobs" ] ||
		[ -z "$(find "$BERTH_STORE/blobs" -type f ! -name data)" ]
}

# Start a program as CGI reading its body from a FIFO; sets CGI_PID and
# opens fd 7 for writing the body.
start_cgi_fifo() {
	local method=$1 path=$2 query=$3 len=$4
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	env -i PATH="$PATH" REQUEST_METHOD="$method" PATH_INFO="$path" \
		QUERY_STRING="$query" CONTENT_LENGTH="$len" \
		BERTH_CONFIG="$BERTH_CONFIG" \
		"$BERTH_BUILDDIR/cgi-bin/berth-blobs" <"$BATS_TEST_TMPDIR/fifo" \
		>"$BATS_TEST_TMPDIR/killed.out" 2>/dev/null &
	CGI_PID=$!
	exec 7>"$BATS_TEST_TMPDIR/fifo"
}

@test "kill -9 during a monolithic upload leaves no blob and no temp file visible" {
	local repo d
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/big" 4000000
	d=$(digest_of "$BATS_TEST_TMPDIR/big")
	start_cgi_fifo POST "/v2/$repo/blobs/uploads/" "digest=$d" 4000000
	head -c 2000000 "$BATS_TEST_TMPDIR/big" >&7
	sleep 0.3
	kill -9 "$CGI_PID"
	exec 7>&-
	wait "$CGI_PID" || true
	reg HEAD "/v2/$repo/blobs/$d"
	assert_status 404
	assert [ ! -e "$BERTH_STORE/blobs/sha256/${d:7:2}/${d#sha256:}" ]
	assert_blobs_consistent
	# And the same blob can then be pushed normally.
	run push_blob "$repo" "$BATS_TEST_TMPDIR/big"
	assert_success
	assert_output "$d"
	assert_blobs_consistent
}

@test "kill -9 during a PATCH keeps the last acknowledged offset and the upload resumes" {
	local repo loc id d
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/all" 3000000
	d=$(digest_of "$BATS_TEST_TMPDIR/all")
	head -c 1000000 "$BATS_TEST_TMPDIR/all" >"$BATS_TEST_TMPDIR/c1"
	tail -c +1000001 "$BATS_TEST_TMPDIR/all" >"$BATS_TEST_TMPDIR/rest"
	reg POST "/v2/$repo/blobs/uploads/"
	assert_status 202
	loc=$(header Location)
	id=${loc##*/}
	reg PATCH "$loc" -f "$BATS_TEST_TMPDIR/c1" -H 'Content-Range: 0-999999'
	assert_status 202
	assert_header Range '^0-999999$'
	# Second chunk: the writer dies half-way through.
	start_cgi_fifo PATCH "$loc" "" 2000000
	head -c 1200000 "$BATS_TEST_TMPDIR/rest" >&7
	sleep 0.3
	kill -9 "$CGI_PID"
	exec 7>&-
	wait "$CGI_PID" || true
	reg GET "$loc"
	assert_status 204
	assert_header Range '^0-999999$'
	# The client resends the whole second chunk and finishes.
	reg PATCH "$loc" -f "$BATS_TEST_TMPDIR/rest" -H 'Content-Range: 1000000-2999999'
	assert_status 202
	assert_header Range '^0-2999999$'
	reg PUT "$loc?digest=$d"
	assert_status 201
	reg GET "/v2/$repo/blobs/$d"
	assert_status 200
	cmp "$REG_BODY_FILE" "$BATS_TEST_TMPDIR/all"
	assert [ ! -e "$BERTH_STORE/repositories/$repo/_uploads/$id" ]
	assert_blobs_consistent
}

@test "kill -9 at random moments of many pushes: storage stays consistent" {
	local repo i d pid
	repo=$(new_repo)
	for i in 1 2 3 4 5 6; do
		random_file "$BATS_TEST_TMPDIR/b$i" $((500000 * i))
		d=$(digest_of "$BATS_TEST_TMPDIR/b$i")
		env -i PATH="$PATH" REQUEST_METHOD=POST PATH_INFO="/v2/$repo/blobs/uploads/" \
			QUERY_STRING="digest=$d" CONTENT_LENGTH=$((500000 * i)) \
			BERTH_CONFIG="$BERTH_CONFIG" "$BERTH_BUILDDIR/cgi-bin/berth-blobs" \
			<"$BATS_TEST_TMPDIR/b$i" >/dev/null 2>&1 &
		pid=$!
		sleep "0.0$((RANDOM % 9 + 1))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	assert_blobs_consistent
	# Whatever became visible is complete and readable.
	for i in 1 2 3 4 5 6; do
		d=$(digest_of "$BATS_TEST_TMPDIR/b$i")
		reg HEAD "/v2/$repo/blobs/$d"
		if [ "$REG_STATUS" = 200 ]; then
			assert_header Content-Length "^$((500000 * i))\$"
		else
			assert_status 404
		fi
	done
}

@test "twenty concurrent pushes of the same blob all succeed and store it once" {
	local repo d i
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/same" 700000
	d=$(digest_of "$BATS_TEST_TMPDIR/same")
	for i in $(seq 20); do
		env -i PATH="$PATH" REQUEST_METHOD=POST PATH_INFO="/v2/$repo/blobs/uploads/" \
			QUERY_STRING="digest=$d" CONTENT_LENGTH=700000 \
			BERTH_CONFIG="$BERTH_CONFIG" "$BERTH_BUILDDIR/cgi-bin/berth-blobs" \
			<"$BATS_TEST_TMPDIR/same" >"$BATS_TEST_TMPDIR/out$i" 2>/dev/null &
	done
	wait
	for i in $(seq 20); do
		run head -1 "$BATS_TEST_TMPDIR/out$i"
		assert_output --partial "Status: 201"
	done
	run find "$BERTH_STORE/blobs" -type f
	assert_output "$BERTH_STORE/blobs/sha256/${d:7:2}/${d#sha256:}/data"
	assert_blobs_consistent
	run find "$BERTH_STORE/repositories/$repo/_uploads" -mindepth 1
	assert_output ''
}

@test "concurrent chunks to one upload are serialized: one wins, the other gets 416" {
	local repo loc
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/c" 2000000
	reg POST "/v2/$repo/blobs/uploads/"
	loc=$(header Location)
	for i in 1 2; do
		env -i PATH="$PATH" REQUEST_METHOD=PATCH PATH_INFO="$loc" \
			HTTP_CONTENT_RANGE=0-1999999 CONTENT_LENGTH=2000000 \
			BERTH_CONFIG="$BERTH_CONFIG" "$BERTH_BUILDDIR/cgi-bin/berth-blobs" \
			<"$BATS_TEST_TMPDIR/c" >"$BATS_TEST_TMPDIR/p$i" 2>/dev/null &
	done
	wait
	run cat "$BATS_TEST_TMPDIR/p1" "$BATS_TEST_TMPDIR/p2"
	assert_output --partial "Status: 202"
	assert_output --partial "Status: 416"
	reg GET "$loc"
	assert_header Range '^0-1999999$'
	reg PUT "$loc?digest=$(digest_of "$BATS_TEST_TMPDIR/c")"
	assert_status 201
}

@test "concurrent tag writes leave the tag pointing at one complete manifest" {
	local repo i
	repo=$(new_repo)
	make_image "$repo"
	for i in $(seq 8); do
		jq -c --arg n "$i" '. + {annotations: {n: $n}}' "$IMG_MANIFEST" >"$BATS_TEST_TMPDIR/m$i"
	done
	for i in $(seq 8); do
		env -i PATH="$PATH" REQUEST_METHOD=PUT PATH_INFO="/v2/$repo/manifests/latest" \
			CONTENT_TYPE=application/vnd.oci.image.manifest.v1+json \
			CONTENT_LENGTH="$(stat -c %s "$BATS_TEST_TMPDIR/m$i")" \
			BERTH_CONFIG="$BERTH_CONFIG" "$BERTH_BUILDDIR/cgi-bin/berth-manifests" \
			<"$BATS_TEST_TMPDIR/m$i" >"$BATS_TEST_TMPDIR/o$i" 2>/dev/null &
	done
	wait
	for i in $(seq 8); do
		run head -1 "$BATS_TEST_TMPDIR/o$i"
		assert_output --partial "Status: 201"
	done
	reg GET "/v2/$repo/manifests/latest"
	assert_status 200
	assert_json '.annotations.n | test("^[1-8]$")'
	[ "$(header Docker-Content-Digest)" = "$(digest_of "$REG_BODY_FILE")" ]
	assert_blobs_consistent
}
