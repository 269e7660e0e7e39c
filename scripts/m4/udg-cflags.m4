# Compiler flag probes for udg's configure.ac.

# UDG_CHECK_CFLAGS(FLAGS, [ACTION-IF-ACCEPTED], [ACTION-IF-NOT])
# -----------------------------------------------------------------
# Whether $CC compiles and links a program with FLAGS added to CFLAGS and
# LDFLAGS.  -Werror makes a flag the compiler only warns about (clang's
# "unknown warning option") count as not accepted, and linking catches
# flags such as -fsanitize=... whose run-time library is missing.  The
# answer is cached per FLAGS.
AC_DEFUN([UDG_CHECK_CFLAGS], [
	AS_VAR_PUSHDEF([udg_cv], [udg_cv_cflags_$1])
	AC_CACHE_CHECK([whether $CC accepts $1], [udg_cv], [
		udg_save_CFLAGS=$CFLAGS
		udg_save_LDFLAGS=$LDFLAGS
		CFLAGS="$CFLAGS -Werror $1"
		LDFLAGS="$LDFLAGS $1"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
		    [AS_VAR_SET([udg_cv], [yes])],
		    [AS_VAR_SET([udg_cv], [no])])
		CFLAGS=$udg_save_CFLAGS
		LDFLAGS=$udg_save_LDFLAGS])
	AS_VAR_IF([udg_cv], [yes], [$2], [$3])
	AS_VAR_POPDEF([udg_cv])
])

# UDG_ADD_CFLAGS(VARIABLE, FLAGS)
# -------------------------------
# Append to the shell VARIABLE each of the blank-separated FLAGS that
# UDG_CHECK_CFLAGS finds accepted; leave the others out.
AC_DEFUN([UDG_ADD_CFLAGS], [
	for udg_flag in $2; do
		UDG_CHECK_CFLAGS([$udg_flag], [$1="$$1 $udg_flag"])
	done
])
