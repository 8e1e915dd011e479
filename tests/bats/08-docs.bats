#!/usr/bin/env bats
# 08-docs.bats: the manual pages and etc/berth.ini document every
# configuration key the parser knows (and no other), every berthctl
# command, and pass mandoc's checks

load helpers

BERTHCTL=$BERTH_BUILDDIR/berthctl/berthctl
MAN5=$BERTH_SRCDIR/man/berth.ini.5
INI=$BERTH_SRCDIR/etc/berth.ini

# "section key" lines of the parser's key table.
parser_keys() {
	"$BERTHCTL" keys | sort
}

# "section key" for each key documented in berth.ini(5): a ".It Cm key"
# item of the outermost list below a ".Ss [section]" heading.
man_keys() {
	awk '/^\.Sh /	{ sec = "" }
		/^\.Ss \[[a-z0-9_]+\](\\&)?$/ {
			sec = $2; sub(/^\[/, "", sec); sub(/\](\\&)?$/, "", sec)
			depth = 0
			next
		}
		/^\.Bl /	{ depth++ }
		/^\.El/	{ depth-- }
		sec != "" && depth == 1 && /^\.It Cm [a-z_]+/ { print sec, $3 }' "$MAN5"
}

# "section key" for each key in etc/berth.ini, set or commented out
# ("key = value" or "; key = value").
ini_keys() {
	awk '/^\[[a-z0-9_]+\][ \t]*$/ { sec = $1; gsub(/[][]/, "", sec); next }
		match($0, /^(; ?)?[a-z_]+[ \t]*=/) {
			k = $0; sub(/^; ?/, "", k); sub(/[ \t]*=.*/, "", k)
			print sec, k
		}' "$INI"
}

# assert_same_keys WHAT EXPECTED ACTUAL: two sorted lists are equal.
assert_same_keys() {
	local missing extra
	missing=$(comm -23 <(printf '%s\n' "$2") <(printf '%s\n' "$3"))
	extra=$(comm -13 <(printf '%s\n' "$2") <(printf '%s\n' "$3"))
	if [ -n "$missing$extra" ]; then
		batslib_print_kv_single_or_multi 8 \
			"missing from $1" "${missing:-(none)}" \
			"unknown to the parser" "${extra:-(none)}" |
			batslib_decorate "keys differ: $1" | fail
	fi
}

@test "berthctl keys lists the parser's keys, each once" {
	run -0 "$BERTHCTL" keys
	assert_line 'storage path'
	assert_line 'log level'
	# shellcheck disable=SC2016 # $1 is the inner shell's
	run -0 bash -c '"$1" keys | sort | uniq -d' _ "$BERTHCTL"
	assert_output ''
}

@test "berth.ini(5) documents every key once, and no unknown key" {
	local doc dups
	doc=$(man_keys | sort)
	dups=$(printf '%s\n' "$doc" | uniq -d)
	[ -z "$dups" ] || fail "documented more than once in berth.ini.5: $dups"
	assert_same_keys "man/berth.ini.5" "$(parser_keys)" "$doc"
}

@test "etc/berth.ini shows every key once, and no unknown key" {
	local doc dups
	doc=$(ini_keys | sort)
	dups=$(printf '%s\n' "$doc" | uniq -d)
	[ -z "$dups" ] || fail "more than once in etc/berth.ini: $dups"
	assert_same_keys "etc/berth.ini" "$(parser_keys)" "$doc"
}

@test "etc/berth.ini is valid as shipped" {
	run -0 "$BERTHCTL" check-config --config "$INI"
	assert_line --regexp "^$INI: ok"
}

@test "berthctl(1) documents every command in berthctl's usage" {
	local cmd
	run -2 "$BERTHCTL"
	[ -n "$output" ] || fail "berthctl printed no usage"
	while read -r cmd; do
		grep -qx "\.Cm $cmd" "$BERTH_SRCDIR/man/berthctl.1" ||
			fail "berthctl.1 lacks the command $cmd"
	done < <(printf '%s\n' "$output" | awk '{ print ($1 == "usage:") ? $3 : $2 }')
}

@test "the manual pages pass mandoc -Tlint" {
	command -v mandoc >/dev/null || skip "mandoc is not installed"
	# Cross references to pages not installed here are only style notes.
	run mandoc -Tlint -Wwarning "$BERTH_SRCDIR"/man/*.[0-9]
	assert_success
	assert_output ''
}
