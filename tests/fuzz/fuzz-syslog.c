/*
 * fuzz-syslog.c - fmt_syslog, the "<PRI>" decoder of udg-listen -s,
 * against a reference written from RFC 5424 section 6.2 (and RFC 3164
 * section 4.1.1) with nothing taken from format.c.
 *
 * udg-listen strips hdrlen bytes off the message: a header decoded
 * where there is none, or one byte too long, silently eats the text.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "format.h"
#include "fuzz.h"

static const char *const facility[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console",
	"solaris-cron", "local0", "local1", "local2", "local3", "local4",
	"local5", "local6", "local7",
};

static const char *const severity[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

/*
 * PRI = "<" 1*3DIGIT ">", no leading zero, at most 191 (23 * 8 + 7).
 * Returns it and sets *end just past the '>', or returns -1.
 */
static int
ref_pri(const char *s, size_t len, size_t *end)
{
	const char *gt;
	size_t ndig, k;
	int pri = 0;

	if (len == 0 || s[0] != '<')
		return -1;
	/* "<" and at most three digits before the first '>' */
	if ((gt = memchr(s, '>', len < 5 ? len : 5)) == NULL)
		return -1;
	ndig = (size_t)(gt - s) - 1;
	if (ndig == 0 || (ndig > 1 && s[1] == '0'))
		return -1;
	for (k = 1; k <= ndig; k++) {
		if (s[k] < '0' || s[k] > '9')
			return -1;
		pri = pri * 10 + (s[k] - '0');
	}
	if (pri > 191)
		return -1;
	*end = ndig + 2;
	return pri;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct fmt_syslog sl;
	size_t end = 0, k;
	int rc, pri, v, v5424;

	rc = fmt_syslog(s, size, &sl);
	FUZZ_CHECK(rc == 0 || rc == -1);
	pri = ref_pri(s, size, &end);
	FUZZ_CHECK((rc == 0) == (pri >= 0));
	if (rc != 0)
		return 0;

	FUZZ_CHECK(s[0] == '<');
	FUZZ_CHECK(sl.pri >= 0 && sl.pri <= 191);
	FUZZ_CHECK(sl.hdrlen >= 3 && sl.hdrlen <= size);
	FUZZ_CHECK(s[sl.hdrlen - 1] == '>' || s[sl.hdrlen - 1] == ' ');
	/* the digits between '<' and '>' spell pri, with no leading zero */
	for (k = 1, v = 0; s[k] != '>'; k++) {
		FUZZ_CHECK(k < sl.hdrlen && s[k] >= '0' && s[k] <= '9');
		v = v * 10 + (s[k] - '0');
	}
	FUZZ_CHECK(k > 1 && v == sl.pri);
	FUZZ_CHECK(k == 2 || s[1] != '0');
	FUZZ_CHECK(sl.pri == pri);

	FUZZ_CHECK(sl.facility != NULL && sl.severity != NULL);
	FUZZ_CHECK(strcmp(sl.facility, facility[pri >> 3]) == 0);
	FUZZ_CHECK(strcmp(sl.severity, severity[pri & 7]) == 0);
	FUZZ_CHECK(strlen(sl.facility) == sl.facility_len &&
	    sl.facility_len < FMT_SYSLOG_NAME);
	FUZZ_CHECK(strlen(sl.severity) == sl.severity_len &&
	    sl.severity_len < FMT_SYSLOG_NAME);

	/*
	 * RFC 5424 is "<PRI>1 " (VERSION is NONZERO-DIGIT 0*2DIGIT, and 1
	 * is the only one defined); anything else after '>' is RFC 3164
	 * text and must be left in the message.
	 */
	FUZZ_CHECK(sl.version == 0 || sl.version == 1);
	v5424 = end + 1 < size && s[end] == '1' && s[end + 1] == ' ';
	FUZZ_CHECK(sl.version == v5424);
	FUZZ_CHECK(sl.hdrlen == end + (v5424 ? 2 : 0));

	/* the message is the rest, less one last NUL and then one newline */
	k = size;
	if (k > sl.hdrlen && s[k - 1] == '\0')
		k--;
	if (k > sl.hdrlen && s[k - 1] == '\n')
		k--;
	FUZZ_CHECK(sl.hdrlen + sl.msglen == k);
	return 0;
}
