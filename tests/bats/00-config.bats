#!/usr/bin/env bats
# 00-config.bats: configuration loading, validation and logging (CGI mode)

load helpers

setup() {
	write_config
}

@test "a missing config file answers 503 UNAVAILABLE and logs why" {
	BERTH_CONFIG=$BATS_TEST_TMPDIR/nope.ini
	reg_cgi GET /v2/
	assert_error 503 UNAVAILABLE
	run cat "$BATS_TEST_TMPDIR/cgierr.$$"
	assert_output --partial "nope.ini: cannot read the configuration"
}

@test "an unknown key answers 503 and the log names file:line" {
	printf '[storage]\npath = %s\n[registry]\ndelet = true\n' "$BERTH_STORE" >"$BERTH_CONFIG"
	reg_cgi GET /v2/
	assert_error 503 UNAVAILABLE
	run cat "$BATS_TEST_TMPDIR/cgierr.$$"
	assert_output --partial "berth.ini:4: unknown key"
	assert_output --partial "delet"
}

@test "an invalid value answers 503 and nothing is written to storage" {
	printf '[storage]\npath = %s/new\n[registry]\nmax_page_size = lots\n' "$BATS_TEST_TMPDIR" >"$BERTH_CONFIG"
	reg_cgi POST "/v2/a/blobs/uploads/"
	assert_error 503 UNAVAILABLE
	assert [ ! -e "$BATS_TEST_TMPDIR/new" ]
	run cat "$BATS_TEST_TMPDIR/cgierr.$$"
	assert_output --partial "berth.ini:4: max_page_size"
}

@test "the 503 body does not leak the configuration error detail" {
	printf '[storage]\npath = %s\n[secret]\nk = v\n' "$BERTH_STORE" >"$BERTH_CONFIG"
	reg_cgi GET /v2/
	assert_error 503 UNAVAILABLE
	run jq -r '.errors[0].detail' "$REG_BODY_FILE"
	refute_output --partial "berth.ini"
}

@test "--config on the command line overrides BERTH_CONFIG" {
	local other=$BATS_TEST_TMPDIR/other.ini
	printf '[storage]\npath = %s/other\n' "$BATS_TEST_TMPDIR" >"$other"
	run env -i PATH="$PATH" REQUEST_METHOD=GET PATH_INFO=/v2/ \
		BERTH_CONFIG=/nonexistent "$BERTH_BUILDDIR/cgi-bin/berth-catalog" --config "$other"
	assert_success
	assert_output --partial "Status: 200"
	assert [ -d "$BATS_TEST_TMPDIR/other" ]
}

@test "delete = false refuses manifest and blob deletes with 405 UNSUPPORTED" {
	local repo
	repo=$(new_repo)
	make_image "$repo" v1
	printf '[storage]\npath = %s\n[registry]\ndelete = false\n' "$BERTH_STORE" >"$BERTH_CONFIG"
	reg_cgi DELETE "/v2/$repo/manifests/$IMG_DIGEST"
	assert_error 405 UNSUPPORTED
	reg_cgi DELETE "/v2/$repo/blobs/$IMG_LAYER"
	assert_error 405 UNSUPPORTED
	reg_cgi GET "/v2/$repo/manifests/v1"
	assert_status 200
}

@test "readonly = true refuses writes with 405 and still serves reads" {
	local repo
	repo=$(new_repo)
	make_image "$repo" v1
	write_config '[registry]' 'readonly = true'
	reg_cgi POST "/v2/$repo/blobs/uploads/"
	assert_error 405 UNSUPPORTED
	reg_cgi PUT "/v2/$repo/manifests/v2" -f "$IMG_MANIFEST" \
		-H 'Content-Type: application/vnd.oci.image.manifest.v1+json'
	assert_error 405 UNSUPPORTED
	assert [ ! -e "$BERTH_STORE/repositories/$repo/_manifests/tags/v2" ]
	reg_cgi GET "/v2/$repo/manifests/v1"
	assert_status 200
}

@test "max_manifest_size refuses bigger manifests with 413" {
	local repo
	repo=$(new_repo)
	write_config '[registry]' 'max_manifest_size = 1024'
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[],"annotations":{"x":"%s"}}' \
		"$(head -c 2000 /dev/zero | tr '\0' a)" >"$BATS_TEST_TMPDIR/big.json"
	reg_cgi PUT "/v2/$repo/manifests/big" -f "$BATS_TEST_TMPDIR/big.json" \
		-H 'Content-Type: application/vnd.oci.image.index.v1+json'
	assert_error 413 SIZE_INVALID
}

@test "max_page_size caps n for tags/list" {
	local repo t
	repo=$(new_repo)
	make_image "$repo" t0
	for t in t1 t2 t3; do
		reg_cgi PUT "/v2/$repo/manifests/$t" -f "$IMG_MANIFEST" \
			-H 'Content-Type: application/vnd.oci.image.manifest.v1+json'
		assert_status 201
	done
	write_config '[registry]' 'max_page_size = 2'
	reg_cgi GET "/v2/$repo/tags/list?n=100"
	assert_status 200
	assert_json '.tags == ["t0","t1"]'
	assert_header Link 'last=t1'
}

@test "files get the configured umask (default 027: 0640 files, 0750 dirs)" {
	local repo d
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/b" 100
	d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/b")
	run stat -c %a "$BERTH_STORE/blobs/sha256/${d:7:2}/${d#sha256:}/data"
	assert_output 640
	run stat -c %a "$BERTH_STORE/blobs/sha256/${d:7:2}"
	assert_output 750
}

@test "umask = 077 makes files 0600" {
	local repo d
	repo=$(new_repo)
	printf '[storage]\npath = %s\numask = 077\n[registry]\ndelete = true\n' "$BERTH_STORE" >"$BERTH_CONFIG"
	random_file "$BATS_TEST_TMPDIR/b" 100
	d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/b")
	run stat -c %a "$BERTH_STORE/blobs/sha256/${d:7:2}/${d#sha256:}/data"
	assert_output 600
}

@test "text log: one request line with method, path, status, repository, digest, request id" {
	local repo d id
	repo=$(new_repo)
	random_file "$BATS_TEST_TMPDIR/b" 100
	d=$(push_blob "$repo" "$BATS_TEST_TMPDIR/b")
	printf '[storage]\npath = %s\n[log]\nlevel = info\nfile = %s\n' "$BERTH_STORE" "$BATS_TEST_TMPDIR/text.log" >"$BERTH_CONFIG"
	reg_cgi HEAD "/v2/$repo/blobs/$d"
	assert_status 200
	id=$(header X-Request-Id)
	run cat "$BATS_TEST_TMPDIR/text.log"
	assert_line --partial "request_id=$id msg=request method=HEAD path=/v2/$repo/blobs/$d status=200"
	assert_line --partial "repository=$repo digest=$d remote_addr=127.0.0.1"
}

@test "json log: valid JSON per line with static fields" {
	printf '[storage]\npath = %s\n[log]\nformatter = json\nfields = service=registry, environment=production\nfile = %s\n' \
		"$BERTH_STORE" "$BATS_TEST_TMPDIR/j.log" >"$BERTH_CONFIG"
	reg_cgi GET /v2/nothing/here
	assert_status 404
	run jq -e -s 'length == 1 and .[0].service == "registry" and .[0].environment == "production" and .[0].status == 404 and .[0].method == "GET" and .[0].level == "info" and .[0].error == "NOT_FOUND"' "$BATS_TEST_TMPDIR/j.log"
	assert_success
}

@test "log level error drops request lines of successful requests" {
	printf '[storage]\npath = %s\n[log]\nlevel = error\nfile = %s\n' "$BERTH_STORE" "$BATS_TEST_TMPDIR/e.log" >"$BERTH_CONFIG"
	reg_cgi GET /v2/
	assert_status 200
	assert [ ! -s "$BATS_TEST_TMPDIR/e.log" ]
}

@test "credentials and request bodies never reach the log" {
	local repo
	repo=$(new_repo)
	printf '[storage]\npath = %s\n[log]\nlevel = debug\nfile = %s\n' "$BERTH_STORE" "$BATS_TEST_TMPDIR/d.log" >"$BERTH_CONFIG"
	reg_cgi PUT "/v2/$repo/manifests/x" -d '{"secretbody":"hunter2body"}' \
		-H 'Authorization: Basic c2VjcmV0dXNlcjpodW50ZXIy' \
		-H 'Content-Type: application/vnd.oci.image.manifest.v1+json'
	assert_error 400 MANIFEST_INVALID
	run cat "$BATS_TEST_TMPDIR/d.log"
	assert_output --partial "method=PUT"
	refute_output --partial "c2VjcmV0dXNlcjpodW50ZXIy"
	refute_output --partial "hunter2body"
}

@test "control characters in the path are escaped in the log" {
	printf '[storage]\npath = %s\n[log]\nfile = %s\n' "$BERTH_STORE" "$BATS_TEST_TMPDIR/c.log" >"$BERTH_CONFIG"
	reg_cgi GET "/v2/a%0aforged=1/tags/list"
	assert_status 400
	run wc -l <"$BATS_TEST_TMPDIR/c.log"
	assert_output 1
	run cat "$BATS_TEST_TMPDIR/c.log"
	assert_output --partial '\x0aforged=1'
}

@test "an unsupported method answers 405 with the error JSON" {
	reg_cgi PATCH /v2/
	assert_error 405 UNSUPPORTED
	env -i PATH="$PATH" REQUEST_METHOD=BREW PATH_INFO=/v2/ BERTH_CONFIG="$BERTH_CONFIG" \
		"$BERTH_BUILDDIR/cgi-bin/berth-catalog" >"$BATS_TEST_TMPDIR/o" </dev/null
	run head -1 "$BATS_TEST_TMPDIR/o"
	assert_output --partial "Status: 405"
}

# cgi_ld_files: GET /v2/ from berth-catalog as plain CGI with the dynamic
# linker's LD_DEBUG=files trace (on stderr) in the output.
cgi_ld_files() {
	run -0 env -i PATH="$PATH" ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" LD_DEBUG=files \
		REQUEST_METHOD=GET PATH_INFO=/v2/ BERTH_CONFIG="$BERTH_CONFIG" \
		"$BERTH_BUILDDIR/cgi-bin/berth-catalog" </dev/null
	assert_output --partial "Status: 200"
}

@test "programs load libcurl only for the S3 driver" {
	local p
	# Linked, libcurl and the ~28 libraries it needs doubled every
	# program's start-up time and memory, S3 or not.
	for p in cgi-bin/berth-blobs cgi-bin/berth-manifests \
		cgi-bin/berth-catalog cgi-bin/berth-token berthctl/berthctl; do
		run -0 ldd "$BERTH_BUILDDIR/$p"
		assert_output --partial libcrypto
		refute_output --partial libcurl
	done
	cgi_ld_files
	refute_output --partial libcurl
	# driver = s3 loads it when the store opens.  GET /v2/ sends nothing
	# to the store, so none has to be listening.
	printf '%s\n' '[storage]' 'driver = s3' '[s3]' \
		'endpoint = http://127.0.0.1:9' 'bucket = berth-test' \
		'access_key = AKIAIOSFODNN7EXAMPLE' \
		'secret_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' \
		>"$BERTH_CONFIG"
	cgi_ld_files
	# "... by berth-catalog", or by libasan, whose dlopen() wraps the call.
	assert_output --regexp 'file=libcurl[^ ]* \[[0-9]+\]; +dynamically loaded by '
}

@test "berthctl check-config accepts the shipped etc/berth.ini" {
	run "$BERTH_BUILDDIR/berthctl/berthctl" check-config --config "$BERTH_SRCDIR/etc/berth.ini"
	assert_success
	assert_output --partial "ok"
}

@test "berthctl check-config reports file:line and exits 1 on an error" {
	printf '[storage]\npath = /x\nspeed = warp\n' >"$BATS_TEST_TMPDIR/bad.ini"
	run "$BERTH_BUILDDIR/berthctl/berthctl" check-config --config "$BATS_TEST_TMPDIR/bad.ini"
	assert_failure 1
	assert_output --partial "bad.ini:3: unknown key \"speed\" in [storage]"
}

@test "every key the parser knows is documented in etc/berth.ini" {
	run "$BERTH_BUILDDIR/berthctl/berthctl" keys
	assert_success
	local line section key
	while read -r line; do
		section=${line%% *}
		key=${line#* }
		# the key must appear (possibly commented) under its section
		run awk -v s="[$section]" -v k="$key" '
			/^\[/ { cur = $0 }
			cur == s && ($0 ~ "^;? ?" k " =") { found = 1 }
			END { exit !found }' "$BERTH_SRCDIR/etc/berth.ini"
		assert_success
	done < <("$BERTH_BUILDDIR/berthctl/berthctl" keys)
}

@test "audit events: push, tag_move and delete are logged with user, repository and digest" {
	local repo first
	repo=$(new_repo)
	printf '[storage]\npath = %s\n[registry]\ndelete = true\n[log]\nfile = %s\n' "$BERTH_STORE" "$BATS_TEST_TMPDIR/a.log" >"$BERTH_CONFIG"
	make_image "$repo" v1
	first=$IMG_DIGEST
	make_image "$repo" v1
	reg_cgi DELETE "/v2/$repo/manifests/$IMG_DIGEST"
	assert_status 202
	run grep 'msg=audit' "$BATS_TEST_TMPDIR/a.log"
	assert_line --partial "event=push repository=$repo reference=v1 digest=$first"
	assert_line --partial "event=tag_move repository=$repo reference=v1 digest=$IMG_DIGEST remote_addr=127.0.0.1 detail=$first"
	assert_line --partial "event=delete repository=$repo reference=$IMG_DIGEST digest=$IMG_DIGEST"
}

@test "audit events: a denied request is logged at warn" {
	printf '[storage]\npath = %s\n[access]\nallow = 10.0.0.0/8\n[log]\nfile = %s\n' "$BERTH_STORE" "$BATS_TEST_TMPDIR/d.log" >"$BERTH_CONFIG"
	reg_cgi GET /v2/
	assert_error 403 DENIED
	run grep 'msg=audit' "$BATS_TEST_TMPDIR/d.log"
	assert_output --partial "level=warn"
	assert_output --partial "event=denied"
	assert_output --partial "remote_addr=127.0.0.1"
}
