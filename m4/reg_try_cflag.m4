dnl REG_TRY_CFLAG(FLAG, [VAR]): append FLAG to VAR (default CFLAGS) when the
dnl compiler and linker accept it (-Werror so that warnings count as "no").
AC_DEFUN([REG_TRY_CFLAG], [
	AS_VAR_PUSHDEF([reg_cv], [reg_cv_cflag_$1])
	AC_CACHE_CHECK([whether $CC accepts $1], [reg_cv], [
		reg_save_CFLAGS="$CFLAGS"
		CFLAGS="$CFLAGS -Werror $1"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [return 0;])],
			[AS_VAR_SET([reg_cv], [yes])], [AS_VAR_SET([reg_cv], [no])])
		CFLAGS="$reg_save_CFLAGS"])
	AS_VAR_IF([reg_cv], [yes], [m4_default([$2], [CFLAGS])="$m4_default([$2], [CFLAGS]) $1"])
	AS_VAR_POPDEF([reg_cv])
])
