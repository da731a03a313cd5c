/* C twin of privacy.detectors.numbers.detect_numbers for ASCII texts.
 *
 * Every regex of numbers.py / national.py that the detector runs is a hand-written scanner here,
 * written against the Python pattern (the pattern strings are exported as PATTERNS so that the
 * Python side refuses this module when a pattern changed). The verifiers that live in libraries
 * (phonenumbers, python-stdnum, ipaddress) and their lru caches stay in Python: they are called
 * back, only on candidates. `tests/unit/privacy/test_accel_numbers.py` compares this module with
 * the Python reference.
 *
 * Python semantics on ASCII: \d = [0-9], \w = [A-Za-z0-9_], \s = [ \t\n\r\f\v\x1c-\x1f].
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

/* ------------------------------------------------------------------ character classes */

static inline int is_d(unsigned char c) { return c >= '0' && c <= '9'; }
static inline int is_up(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static inline int is_lo(unsigned char c) { return c >= 'a' && c <= 'z'; }
static inline int is_al(unsigned char c) { return is_up(c) || is_lo(c); }
static inline int is_alnum(unsigned char c) { return is_d(c) || is_al(c); }
static inline int is_w(unsigned char c) { return is_alnum(c) || c == '_'; }
static inline int is_s(unsigned char c) {
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
}
static inline int is_hex(unsigned char c) {
    return is_d(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static inline unsigned char to_lo(unsigned char c) { return is_up(c) ? (unsigned char)(c + 32) : c; }
static inline unsigned char to_up(unsigned char c) { return is_lo(c) ? (unsigned char)(c - 32) : c; }

/* the end of the run of digits starting at i */
static inline Py_ssize_t digit_run(const unsigned char *t, Py_ssize_t n, Py_ssize_t i) {
    while (i < n && is_d(t[i])) i++;
    return i;
}

static inline Py_ssize_t skip_s(const unsigned char *t, Py_ssize_t n, Py_ssize_t i) {
    while (i < n && is_s(t[i])) i++;
    return i;
}

/* does t[i:] start with the literal s? */
static inline int starts(const unsigned char *t, Py_ssize_t n, Py_ssize_t i, const char *s) {
    if (i < 0) return 0;
    for (; *s; s++, i++)
        if (i >= n || t[i] != (unsigned char)*s) return 0;
    return 1;
}

/* ------------------------------------------------------------------ interval vectors */

typedef struct {
    Py_ssize_t s, e;
} iv_t;

typedef struct {
    iv_t *a;
    Py_ssize_t n, cap;
    iv_t stack[32];
} ivec;

static void iv_init(ivec *v) {
    v->a = v->stack;
    v->n = 0;
    v->cap = 32;
}

static void iv_free(ivec *v) {
    if (v->a != v->stack) PyMem_Free(v->a);
    v->a = v->stack;
    v->n = 0;
    v->cap = 32;
}

static int iv_push(ivec *v, Py_ssize_t s, Py_ssize_t e) {
    if (v->n == v->cap) {
        Py_ssize_t cap = v->cap * 2;
        iv_t *a = PyMem_Malloc((size_t)cap * sizeof(iv_t));
        if (a == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        memcpy(a, v->a, (size_t)v->n * sizeof(iv_t));
        if (v->a != v->stack) PyMem_Free(v->a);
        v->a = a;
        v->cap = cap;
    }
    v->a[v->n].s = s;
    v->a[v->n].e = e;
    v->n++;
    return 0;
}

/* ------------------------------------------------------------------ configuration (setup) */

static PyTypeObject *SpanType = NULL;
static PyObject *cb_phone = NULL;      /* _phone_confidence(raw, region, intl, phone_length) */
static PyObject *cb_iban_valid = NULL; /* _iban_valid(candidate) */
static PyObject *cb_iban_length = NULL;/* iban_length(country) */
static PyObject *cb_ipv4 = NULL;       /* ipaddress.IPv4Address */
static PyObject *cb_ipv6 = NULL;       /* ipaddress.IPv6Address */
static PyObject *cb_rtn = NULL;        /* stdnum.us.rtn.is_valid */
static PyObject *cb_validated = NULL;  /* national._validated(validate, value) */
static PyObject *cb_national = NULL;   /* national.detect_national_ids (custom rule sets) */
static PyObject *cb_min_rule_digits = NULL;
static PyObject *builtin_rules = NULL; /* tuple of the IdRule objects scanned here */

#define N_RULES 5
#define MAX_CONTEXT 16
typedef struct {
    PyObject *kind, *validate, *confidence;
    Py_ssize_t min_digits, context_chars;
    Py_ssize_t n_context;
    char *context[MAX_CONTEXT];
    Py_ssize_t context_len[MAX_CONTEXT];
} rule_t;
static rule_t rules[N_RULES];
static Py_ssize_t rules_min_digits = 1; /* min_rule_digits() of the built-in rules */
static int configured = 0;

/* interned constants */
static PyObject *s_CREDIT_CARD, *s_card, *s_PHONE, *s_phone, *s_NUMBER, *s_long_number, *s_IBAN,
    *s_iban, *s_IP_ADDRESS, *s_ip, *s_national_id, *s_context, *s_BANK_ACCOUNT, *s_ACCOUNT_NUMBER,
    *s_ORDER_NUMBER, *s_POLICY_NUMBER, *s_NATIONAL_ID;
static PyObject *f_095, *f_04, *f_075, *f_099, *f_085, *f_08, *f_07;

/* the patterns this file implements, exported for the Python side to compare */
static const char *PAT_DATE =
    "\\d(?<!\\d\\d)(?:\\d{3}[-/.]\\d{1,2}[-/.]\\d{1,2}(?!\\d)|\\d?[-/.]\\d{1,2}[-/.](?:\\d{4}|\\d{2})(?!\\d)"
    "|\\d?:\\d{2}(?::\\d{2})?(?!\\d))";
static const char *PAT_GAP_OK = "^(?:[ \\-.]|\\) ?| ?\\(|\\)-| - |\\.\\s)$";
static const char *PAT_CHAIN = "\\d+(?:(?:[ \\-.]|\\) ?| ?\\(|\\)-| - |\\.\\s)\\n?\\d+)*";
static const char *PAT_EXT = "\\s*(?:x|ext\\.?|extension)\\s*(\\d{1,6})";
static const char *PAT_IPV4 = "\\d(?<![\\d.]\\d)\\d{0,2}\\.(?:\\d{1,3}\\.){2}\\d{1,3}(?![\\d]|\\.\\d)";
static const char *PAT_IPV6 =
    "(?<![\\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\\w:])";
static const char *PAT_IBAN = "(?<![A-Za-z0-9])[A-Za-z]{2}\\d{2}(?:[ -]?[A-Za-z0-9]){10,32}";
static const char *PAT_CONTEXT_NUMBER =
    "\\b(?P<cue>account|acct|a/c|member(?:ship)?|customer|client|order|invoice|booking|"
    "confirmation|tracking|ticket|case|reference|ref|policy|claim|routing|aba|sort\\s+code|"
    "loyalty|card|pin|passport|licen[cs]e|id)\\b"
    "(?:\\s+(?:number|no\\.?|num|nr|#|id|code))?\\s*(?:is|was|:|#|=|-)?\\s*(?:number\\s+)?"
    "(?P<value>(?:[a-z]{1,4}[-/]?)?\\d[\\da-z]*(?:[ -/]\\d[\\da-z]*)*)";
static const char *PAT_RULES[N_RULES] = {
    "\\d(?<![\\w-]\\d)\\d{2}([- ])\\d{2}\\1\\d{4}(?![\\w-])",
    "\\d(?<![\\w-]\\d)(?:[ -]?\\d){8}(?![\\w-]|[ -]\\d)",
    "9(?<![\\w-]9)\\d{2}([- ]?)\\d{2}\\1\\d{4}(?![\\w-])",
    "[A-Z](?<!\\w[A-Z])[A-Z][ -]?\\d{2}[ -]?\\d{2}[ -]?\\d{2}[ -]?[A-D](?![\\w])",
    "[A-Z](?<!\\w[A-Z])[A-Z][ -]?\\d{2}[ -]?\\d{2}[ -]?\\d{2}(?![\\w]|[ -]?\\d|[ -][A-D](?!\\w))",
};

/* ------------------------------------------------------------------ spans */

static int add_span(PyObject *out, Py_ssize_t s, Py_ssize_t e, PyObject *kind, PyObject *det,
                    PyObject *conf) {
    PyObject *a = PyLong_FromSsize_t(s);
    if (a == NULL) return -1;
    PyObject *b = PyLong_FromSsize_t(e);
    if (b == NULL) {
        Py_DECREF(a);
        return -1;
    }
    /* what tuple.__new__(Span, (...)) does: allocate the subtype, fill the items */
    PyObject *o = SpanType->tp_alloc(SpanType, 5);
    if (o == NULL) {
        Py_DECREF(a);
        Py_DECREF(b);
        return -1;
    }
    Py_INCREF(kind);
    Py_INCREF(det);
    Py_INCREF(conf);
    PyTuple_SET_ITEM(o, 0, a);
    PyTuple_SET_ITEM(o, 1, b);
    PyTuple_SET_ITEM(o, 2, kind);
    PyTuple_SET_ITEM(o, 3, det);
    PyTuple_SET_ITEM(o, 4, conf);
    int r = PyList_Append(out, o);
    Py_DECREF(o);
    return r;
}

/* ------------------------------------------------------------------ _DATE (blocked spans) */

static inline int date_sep(unsigned char c) { return c == '-' || c == '/' || c == '.'; }

/* a match of _DATE starting at p (a digit with no digit before it): its end, or -1 */
static Py_ssize_t date_at(const unsigned char *t, Py_ssize_t n, Py_ssize_t p) {
    Py_ssize_t r = digit_run(t, n, p), len = r - p;
    if (len == 4) {
        if (r < n && date_sep(t[r])) {
            Py_ssize_t q = r + 1, r2 = digit_run(t, n, q);
            if (r2 - q >= 1 && r2 - q <= 2 && r2 < n && date_sep(t[r2])) {
                Py_ssize_t q3 = r2 + 1, r3 = digit_run(t, n, q3);
                if (r3 - q3 >= 1 && r3 - q3 <= 2) return r3;
            }
        }
        return -1;
    }
    if (len == 1 || len == 2) {
        if (r < n && date_sep(t[r])) {
            Py_ssize_t q = r + 1, r2 = digit_run(t, n, q);
            if (r2 - q >= 1 && r2 - q <= 2 && r2 < n && date_sep(t[r2])) {
                Py_ssize_t q3 = r2 + 1, r3 = digit_run(t, n, q3);
                if (r3 - q3 == 4 || r3 - q3 == 2) return r3;
            }
            return -1;
        }
        if (r < n && t[r] == ':') {
            Py_ssize_t q = r + 1, r2 = digit_run(t, n, q);
            if (r2 - q != 2) return -1;
            if (r2 < n && t[r2] == ':') {
                Py_ssize_t r3 = digit_run(t, n, r2 + 1);
                if (r3 - (r2 + 1) == 2) return r3;
            }
            return r2;
        }
    }
    return -1;
}

static int find_dates(const unsigned char *t, Py_ssize_t n, ivec *out) {
    Py_ssize_t p = 0;
    while (p < n) {
        if (is_d(t[p]) && (p == 0 || !is_d(t[p - 1]))) {
            Py_ssize_t e = date_at(t, n, p);
            if (e > p) {
                if (iv_push(out, p, e) < 0) return -1;
                p = e;
                continue;
            }
        }
        p++;
    }
    return 0;
}

/* ------------------------------------------------------------------ chaining (_GAP_OK) */

static int gap_core(const unsigned char *t, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t g = b - a;
    if (g == 1) {
        unsigned char c = t[a];
        return c == ' ' || c == '-' || c == '.' || c == ')' || c == '(';
    }
    if (g == 2) {
        unsigned char c = t[a], d = t[a + 1];
        return (c == ')' && d == ' ') || (c == ' ' && d == '(') || (c == ')' && d == '-') ||
               (c == '.' && is_s(d));
    }
    if (g == 3) return t[a] == ' ' && t[a + 1] == '-' && t[a + 2] == ' ';
    return 0;
}

static int gap_ok(const unsigned char *t, Py_ssize_t a, Py_ssize_t b) {
    if (b <= a) return 0;
    if (gap_core(t, a, b)) return 1;
    return t[b - 1] == '\n' && gap_core(t, a, b - 1);
}

/* ------------------------------------------------------------------ cards */

static int issuer_ok(const unsigned char *d) {
    int d1 = d[0] - '0';
    int d2 = d1 * 10 + (d[1] - '0');
    int d3 = d2 * 10 + (d[2] - '0');
    int d4 = d3 * 10 + (d[3] - '0');
    long d6 = (long)d4 * 100 + (d[4] - '0') * 10 + (d[5] - '0');
    if (d1 == 4 || d1 == 6) return 1;
    if ((d2 >= 51 && d2 <= 55) || d2 == 34 || d2 == 37 || d2 == 65 || d2 == 36 || d2 == 38 ||
        d2 == 39 || d2 == 62 || d2 == 81 || d2 == 50 || d2 == 56 || d2 == 57 || d2 == 58 ||
        d2 == 60 || d2 == 63 || d2 == 67 || d2 == 68 || d2 == 69)
        return 1;
    if ((d3 >= 644 && d3 <= 649) || (d3 >= 300 && d3 <= 305)) return 1;
    if ((d4 >= 2221 && d4 <= 2720) || d4 == 6011 || (d4 >= 3528 && d4 <= 3589)) return 1;
    if (d6 >= 622126 && d6 <= 622925) return 1;
    return 0;
}

static int is_card(const unsigned char *d, Py_ssize_t len) {
    if (len < 13 || len > 19) return 0;
    if (!issuer_ok(d)) return 0;
    int total = 0;
    for (Py_ssize_t k = 0; k < len; k++) {
        int v = d[len - 1 - k] - '0';
        if (k % 2 == 1) v = (v == 9) ? 9 : (2 * v) % 9;
        total += v;
    }
    return total % 10 == 0;
}

/* _card_in: the longest run of whole groups of seq that is a valid card; 1 when found */
static int card_in(const unsigned char *t, const iv_t *seq, Py_ssize_t k, Py_ssize_t *bi,
                   Py_ssize_t *bj) {
    unsigned char buf[24];
    for (Py_ssize_t i = 0; i < k; i++) {
        Py_ssize_t len = 0;
        for (Py_ssize_t j = i; j < k; j++) {
            Py_ssize_t g = seq[j].e - seq[j].s;
            if (len + g > 19) break;
            memcpy(buf + len, t + seq[j].s, (size_t)g);
            len += g;
            if (len >= 13 && is_card(buf, len)) {
                Py_ssize_t best = j;
                unsigned char kb[24];
                Py_ssize_t klen = len;
                memcpy(kb, buf, (size_t)len);
                for (Py_ssize_t m = j + 1; m < k; m++) {
                    Py_ssize_t gm = seq[m].e - seq[m].s;
                    if (klen + gm > 19) break;
                    memcpy(kb + klen, t + seq[m].s, (size_t)gm);
                    klen += gm;
                    if (is_card(kb, klen)) best = m;
                }
                *bi = i;
                *bj = best;
                return 1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ _EXT */

/* end of an _EXT match at position i (case-insensitive), or -1 */
static Py_ssize_t ext_at(const unsigned char *t, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t q = skip_s(t, n, i);
    Py_ssize_t after[3];
    int na = 0;
    if (q < n && to_lo(t[q]) == 'x') after[na++] = q + 1;
    if (q + 3 <= n && to_lo(t[q]) == 'e' && to_lo(t[q + 1]) == 'x' && to_lo(t[q + 2]) == 't') {
        if (q + 3 < n && t[q + 3] == '.') after[na++] = q + 4;
        after[na++] = q + 3;
    }
    for (int k = 0; k < na; k++) {
        Py_ssize_t r = skip_s(t, n, after[k]);
        Py_ssize_t e = digit_run(t, n, r);
        if (e > r) return (e - r > 6) ? r + 6 : e;
    }
    if (q + 9 <= n) {
        static const char *word = "extension";
        for (int k = 0; k < 9; k++)
            if (to_lo(t[q + k]) != (unsigned char)word[k]) return -1;
        Py_ssize_t r = skip_s(t, n, q + 9);
        Py_ssize_t e = digit_run(t, n, r);
        if (e > r) return (e - r > 6) ? r + 6 : e;
    }
    return -1;
}

/* ------------------------------------------------------------------ sequences -> spans */

typedef struct {
    PyObject *text;
    const unsigned char *t;
    Py_ssize_t n;
    PyObject *region;
    PyObject *out;
} ctx_t;

static int emit_sequence(ctx_t *c, const iv_t *seq, Py_ssize_t k) {
    const unsigned char *t = c->t;
    Py_ssize_t n = c->n;
    Py_ssize_t start = seq[0].s, end = seq[k - 1].e, ndig = 0;
    for (Py_ssize_t i = 0; i < k; i++) ndig += seq[i].e - seq[i].s;
    if (ndig < 7) return 0;
    if (ndig >= 13) {
        Py_ssize_t bi, bj;
        if (card_in(t, seq, k, &bi, &bj)) {
            if (add_span(c->out, seq[bi].s, seq[bj].e, s_CREDIT_CARD, s_card, f_095) < 0) return -1;
            if (bi == 0 && bj == k - 1) return 0;
        }
    }
    if (start > 0 && (t[start - 1] == '+' || t[start - 1] == '(')) start -= 1;
    Py_ssize_t ext = ext_at(t, n, end);
    Py_ssize_t end_with_ext = ext >= 0 ? ext : end;
    if (ndig <= 15) {
        PyObject *conf;
        if (t[start] == '+') {
            conf = f_075;
            Py_INCREF(conf);
        } else {
            PyObject *raw = PyUnicode_Substring(c->text, start, end);
            if (raw == NULL) return -1;
            /* digits.startswith("00"): the first group's first two digits */
            int intl = (seq[0].e - seq[0].s >= 2) ? (t[seq[0].s] == '0' && t[seq[0].s + 1] == '0')
                                                   : (t[seq[0].s] == '0' && k > 1 &&
                                                      t[seq[1].s] == '0');
            conf = PyObject_CallFunctionObjArgs(cb_phone, raw, c->region,
                                                intl ? Py_True : Py_False, Py_True, NULL);
            Py_DECREF(raw);
            if (conf == NULL) return -1;
        }
        double v = PyFloat_AsDouble(conf);
        if (v == -1.0 && PyErr_Occurred()) {
            Py_DECREF(conf);
            return -1;
        }
        if (v > 0) {
            int r = add_span(c->out, start, end_with_ext, s_PHONE, s_phone, conf);
            Py_DECREF(conf);
            return r;
        }
        Py_DECREF(conf);
    }
    return add_span(c->out, start, end, s_NUMBER, s_long_number, f_04);
}

static int sequence_spans(ctx_t *c) {
    const unsigned char *t = c->t;
    Py_ssize_t n = c->n;
    ivec blocked, cur;
    iv_init(&blocked);
    iv_init(&cur);
    int rc = -1;
    if (find_dates(t, n, &blocked) < 0) goto done;
    Py_ssize_t kb = 0, p = 0;
    while (p < n) {
        if (!is_d(t[p])) {
            p++;
            continue;
        }
        Py_ssize_t s = p, e = digit_run(t, n, p);
        p = e;
        while (kb < blocked.n && blocked.a[kb].e <= s) kb++;
        if (kb < blocked.n && blocked.a[kb].s <= s) {
            if (cur.n) {
                if (emit_sequence(c, cur.a, cur.n) < 0) goto done;
                cur.n = 0;
            }
            continue;
        }
        if (cur.n && gap_ok(t, cur.a[cur.n - 1].e, s)) {
            if (iv_push(&cur, s, e) < 0) goto done;
        } else {
            if (cur.n) {
                if (emit_sequence(c, cur.a, cur.n) < 0) goto done;
                cur.n = 0;
            }
            if (iv_push(&cur, s, e) < 0) goto done;
        }
    }
    if (cur.n && emit_sequence(c, cur.a, cur.n) < 0) goto done;
    rc = 0;
done:
    iv_free(&blocked);
    iv_free(&cur);
    return rc;
}

/* ------------------------------------------------------------------ national ids */

static inline int ssn_lb(const unsigned char *t, Py_ssize_t p) {
    return p == 0 || !(is_w(t[p - 1]) || t[p - 1] == '-');
}
static inline int ssn_la(const unsigned char *t, Py_ssize_t n, Py_ssize_t q) {
    return q >= n || !(is_w(t[q]) || t[q] == '-');
}
static inline int dd(const unsigned char *t, Py_ssize_t n, Py_ssize_t q) {
    return q + 1 < n && is_d(t[q]) && is_d(t[q + 1]);
}

/* rule 0: \d(?<![\w-]\d)\d{2}([- ])\d{2}\1\d{4}(?![\w-]) */
static Py_ssize_t rule0(const unsigned char *t, Py_ssize_t n, Py_ssize_t p) {
    if (p + 11 > n || !is_d(t[p]) || !ssn_lb(t, p)) return -1;
    if (!dd(t, n, p + 1)) return -1;
    unsigned char s = t[p + 3];
    if (s != '-' && s != ' ') return -1;
    if (!dd(t, n, p + 4) || t[p + 6] != s) return -1;
    if (!dd(t, n, p + 7) || !dd(t, n, p + 9)) return -1;
    return ssn_la(t, n, p + 11) ? p + 11 : -1;
}

/* rule 1: \d(?<![\w-]\d)(?:[ -]?\d){8}(?![\w-]|[ -]\d) */
static Py_ssize_t rule1(const unsigned char *t, Py_ssize_t n, Py_ssize_t p) {
    if (p >= n || !is_d(t[p]) || !ssn_lb(t, p)) return -1;
    Py_ssize_t q = p + 1;
    for (int k = 0; k < 8; k++) {
        if (q < n && (t[q] == ' ' || t[q] == '-')) {
            if (q + 1 < n && is_d(t[q + 1]))
                q += 2;
            else
                return -1;
        } else if (q < n && is_d(t[q])) {
            q += 1;
        } else {
            return -1;
        }
    }
    if (!ssn_la(t, n, q)) return -1;
    if (q + 1 < n && (t[q] == ' ' || t[q] == '-') && is_d(t[q + 1])) return -1;
    return q;
}

/* rule 2: 9(?<![\w-]9)\d{2}([- ]?)\d{2}\1\d{4}(?![\w-]) */
static Py_ssize_t rule2(const unsigned char *t, Py_ssize_t n, Py_ssize_t p) {
    if (p >= n || t[p] != '9' || !ssn_lb(t, p)) return -1;
    if (!dd(t, n, p + 1)) return -1;
    Py_ssize_t q = p + 3;
    unsigned char s = 0;
    if (q < n && (t[q] == '-' || t[q] == ' ')) {
        s = t[q];
        q++;
    }
    if (!dd(t, n, q)) return -1;
    q += 2;
    if (s) {
        if (q >= n || t[q] != s) return -1;
        q++;
    }
    if (!dd(t, n, q) || !dd(t, n, q + 2)) return -1;
    q += 4;
    return ssn_la(t, n, q) ? q : -1;
}

/* the common head of the NINO rules: [A-Z](?<!\w[A-Z])[A-Z]([ -]?\d{2}){3} */
static Py_ssize_t nino_head(const unsigned char *t, Py_ssize_t n, Py_ssize_t p) {
    if (p + 1 >= n || !is_up(t[p]) || !is_up(t[p + 1])) return -1;
    if (p > 0 && is_w(t[p - 1])) return -1;
    Py_ssize_t q = p + 2;
    for (int k = 0; k < 3; k++) {
        if (q < n && (t[q] == ' ' || t[q] == '-')) q++;
        if (!dd(t, n, q)) return -1;
        q += 2;
    }
    return q;
}

static inline int is_ad(unsigned char c) { return c >= 'A' && c <= 'D'; }

/* rule 3: ... [ -]?[A-D](?![\w]) */
static Py_ssize_t rule3(const unsigned char *t, Py_ssize_t n, Py_ssize_t p) {
    Py_ssize_t q = nino_head(t, n, p);
    if (q < 0) return -1;
    if (q < n && (t[q] == ' ' || t[q] == '-')) {
        if (q + 1 < n && is_ad(t[q + 1]))
            q += 2;
        else
            return -1;
    } else if (q < n && is_ad(t[q])) {
        q += 1;
    } else {
        return -1;
    }
    return (q >= n || !is_w(t[q])) ? q : -1;
}

/* rule 4: ... (?![\w]|[ -]?\d|[ -][A-D](?!\w)) */
static Py_ssize_t rule4(const unsigned char *t, Py_ssize_t n, Py_ssize_t p) {
    Py_ssize_t q = nino_head(t, n, p);
    if (q < 0) return -1;
    if (q < n && is_w(t[q])) return -1;
    if (q + 1 < n && (t[q] == ' ' || t[q] == '-')) {
        if (is_d(t[q + 1])) return -1;
        if (is_ad(t[q + 1]) && (q + 2 >= n || !is_w(t[q + 2]))) return -1;
    }
    return q;
}

typedef Py_ssize_t (*rule_fn)(const unsigned char *, Py_ssize_t, Py_ssize_t);
static const rule_fn RULE_FNS[N_RULES] = {rule0, rule1, rule2, rule3, rule4};

/* `w in text.lower()[a:b]` (ASCII: compare the lowercased characters) */
static int contains_lower(const unsigned char *hay, Py_ssize_t a, Py_ssize_t b, const char *w,
                          Py_ssize_t wl) {
    if (wl == 0) return 1;
    unsigned char first = (unsigned char)w[0];
    for (Py_ssize_t i = a; i + wl <= b; i++) {
        if (to_lo(hay[i]) != first) continue;
        Py_ssize_t k = 1;
        while (k < wl && to_lo(hay[i + k]) == (unsigned char)w[k]) k++;
        if (k == wl) return 1;
    }
    return 0;
}

/* can a match of rule r start at p? (the cheap first-character test) */
static inline int rule_may_start(int r, const unsigned char *t, Py_ssize_t n, Py_ssize_t p) {
    if (r <= 1) return is_d(t[p]);
    if (r == 2) return t[p] == '9';
    return is_up(t[p]) && p + 1 < n && is_up(t[p + 1]);
}

/* detect_national_ids with the built-in rules. Its gate (a context word anywhere in the text)
 * only saves work: the window test of each candidate implies it, so it is not repeated here. */
static int national_ids(ctx_t *c, Py_ssize_t n_digits) {
    const unsigned char *t = c->t;
    Py_ssize_t n = c->n;
    ivec found;
    iv_init(&found);
    int rc = -1;
    for (int r = 0; r < N_RULES; r++) {
        rule_t *R = &rules[r];
        if (n_digits < R->min_digits) continue;
        Py_ssize_t p = 0;
        while (p < n) {
            if (!rule_may_start(r, t, n, p)) {
                p++;
                continue;
            }
            Py_ssize_t e = RULE_FNS[r](t, n, p);
            if (e < 0) {
                p++;
                continue;
            }
            Py_ssize_t s = p;
            p = e;
            int dup = 0;
            for (Py_ssize_t k = 0; k < found.n && !dup; k++)
                dup = found.a[k].s == s && found.a[k].e == e;
            if (dup) continue;
            if (R->n_context) {
                Py_ssize_t ws = s - R->context_chars;
                if (ws < 0) ws = 0;
                int any = 0;
                for (Py_ssize_t w = 0; w < R->n_context && !any; w++)
                    any = contains_lower(t, ws, s, R->context[w], R->context_len[w]);
                if (!any) continue;
            }
            PyObject *value = PyUnicode_Substring(c->text, s, e);
            if (value == NULL) goto done;
            PyObject *ok = PyObject_CallFunctionObjArgs(cb_validated, R->validate, value, NULL);
            Py_DECREF(value);
            if (ok == NULL) goto done;
            int truth = PyObject_IsTrue(ok);
            Py_DECREF(ok);
            if (truth < 0) goto done;
            if (truth) {
                if (add_span(c->out, s, e, R->kind, s_national_id, R->confidence) < 0) goto done;
                if (iv_push(&found, s, e) < 0) goto done;
            }
        }
    }
    rc = 0;
done:
    iv_free(&found);
    return rc;
}

/* ------------------------------------------------------------------ IBAN */

static int mod97_ok(const unsigned char *t, Py_ssize_t s, Py_ssize_t e) {
    /* compact = upper, without ' ' and '-'; rotated = compact[4:] + compact[:4]; base 36 */
    unsigned char head[4];
    int nh = 0;
    unsigned int r = 0;
    Py_ssize_t count = 0;
    for (Py_ssize_t i = s; i < e; i++) {
        unsigned char ch = t[i];
        if (ch == ' ' || ch == '-') continue;
        ch = to_up(ch);
        if (nh < 4) {
            head[nh++] = ch;
            count++;
            continue;
        }
        if (is_d(ch))
            r = (r * 10 + (unsigned)(ch - '0')) % 97;
        else if (is_up(ch))
            r = (r * 100 + (unsigned)(ch - 'A' + 10)) % 97;
        else
            return 0;
        count++;
    }
    if (count == 0) return 0;
    for (int i = 0; i < nh; i++) {
        unsigned char ch = head[i];
        if (is_d(ch))
            r = (r * 10 + (unsigned)(ch - '0')) % 97;
        else if (is_up(ch))
            r = (r * 100 + (unsigned)(ch - 'A' + 10)) % 97;
        else
            return 0;
    }
    return r == 1;
}

static PyObject *upper_str(const unsigned char *t, Py_ssize_t s, Py_ssize_t e) {
    PyObject *o = PyUnicode_New(e - s, 127);
    if (o == NULL) return NULL;
    unsigned char *d = PyUnicode_1BYTE_DATA(o);
    for (Py_ssize_t i = s; i < e; i++) d[i - s] = to_up(t[i]);
    return o;
}

static int try_iban(ctx_t *c, Py_ssize_t ms, Py_ssize_t me, Py_ssize_t end) {
    /* candidate raw[:end]; 1 when it validated (span added), 0 when not, -1 on error */
    const unsigned char *t = c->t;
    if (t[ms + end - 1] == ' ' || t[ms + end - 1] == '-') return 0;
    if (!mod97_ok(t, ms, ms + end)) return 0;
    PyObject *cand = upper_str(t, ms, ms + end);
    if (cand == NULL) return -1;
    PyObject *ok = PyObject_CallOneArg(cb_iban_valid, cand);
    Py_DECREF(cand);
    if (ok == NULL) return -1;
    int truth = PyObject_IsTrue(ok);
    Py_DECREF(ok);
    if (truth <= 0) return truth;
    if (add_span(c->out, ms, ms + end, s_IBAN, s_iban, f_099) < 0) return -1;
    return 1;
}

static int ibans(ctx_t *c) {
    const unsigned char *t = c->t;
    Py_ssize_t n = c->n, p = 0;
    while (p + 3 < n) {
        if (!(is_al(t[p]) && (p == 0 || !is_alnum(t[p - 1])) && is_al(t[p + 1]) &&
              is_d(t[p + 2]) && is_d(t[p + 3]))) {
            p++;
            continue;
        }
        Py_ssize_t q = p + 4;
        int reps = 0;
        while (reps < 32) {
            if (q + 1 < n && (t[q] == ' ' || t[q] == '-') && is_alnum(t[q + 1]))
                q += 2;
            else if (q < n && is_alnum(t[q]))
                q += 1;
            else
                break;
            reps++;
        }
        if (reps < 10) {
            p++;
            continue;
        }
        Py_ssize_t ms = p, me = q, rawlen = me - ms;
        p = q;
        PyObject *country = upper_str(t, ms, ms + 2);
        if (country == NULL) return -1;
        PyObject *lenobj = PyObject_CallOneArg(cb_iban_length, country);
        Py_DECREF(country);
        if (lenobj == NULL) return -1;
        if (lenobj == Py_None) {
            Py_DECREF(lenobj);
            for (Py_ssize_t end = rawlen; end > 14; end--) {
                int r = try_iban(c, ms, me, end);
                if (r < 0) return -1;
                if (r) break;
            }
            continue;
        }
        Py_ssize_t length = PyLong_AsSsize_t(lenobj);
        Py_DECREF(lenobj);
        if (length == -1 && PyErr_Occurred()) return -1;
        if (length == 0) continue;
        /* _end_after_alnums(raw, length) */
        Py_ssize_t seen = 0, end = 0;
        for (Py_ssize_t i = 0; i < rawlen; i++) {
            if (t[ms + i] != ' ' && t[ms + i] != '-') {
                seen++;
                if (seen == length) {
                    end = i + 1;
                    break;
                }
            }
        }
        if (end >= 15 && try_iban(c, ms, me, end) < 0) return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ IPs */

/* call cls(value): 1 when it constructs, 0 on ValueError, -1 on any other error */
static int ip_ok(PyObject *cls, PyObject *text, Py_ssize_t s, Py_ssize_t e) {
    PyObject *value = PyUnicode_Substring(text, s, e);
    if (value == NULL) return -1;
    PyObject *ip = PyObject_CallOneArg(cls, value);
    Py_DECREF(value);
    if (ip == NULL) {
        if (PyErr_ExceptionMatches(PyExc_ValueError)) {
            PyErr_Clear();
            return 0;
        }
        return -1;
    }
    Py_DECREF(ip);
    return 1;
}

static int ipv4s(ctx_t *c) {
    const unsigned char *t = c->t;
    Py_ssize_t n = c->n, p = 0;
    while (p < n) {
        if (!is_d(t[p]) || (p > 0 && (is_d(t[p - 1]) || t[p - 1] == '.'))) {
            p++;
            continue;
        }
        Py_ssize_t q = p;
        int ok = 1;
        for (int g = 0; g < 3 && ok; g++) {
            Py_ssize_t r = digit_run(t, n, q);
            if (r - q < 1 || r - q > 3 || r >= n || t[r] != '.')
                ok = 0;
            else
                q = r + 1;
        }
        Py_ssize_t r = ok ? digit_run(t, n, q) : q;
        if (ok && (r - q < 1 || r - q > 3)) ok = 0;
        if (ok && r + 1 < n && t[r] == '.' && is_d(t[r + 1])) ok = 0;
        if (!ok) {
            p++;
            continue;
        }
        int v = ip_ok(cb_ipv4, c->text, p, r);
        if (v < 0) return -1;
        if (v && add_span(c->out, p, r, s_IP_ADDRESS, s_ip, f_095) < 0) return -1;
        p = r;
    }
    return 0;
}

static inline Py_ssize_t hex_run(const unsigned char *t, Py_ssize_t n, Py_ssize_t i) {
    Py_ssize_t j = i;
    while (j < n && is_hex(t[j])) j++;
    return j - i;
}

static int ipv6s(ctx_t *c) {
    const unsigned char *t = c->t;
    Py_ssize_t n = c->n, p = 0;
    while (p < n) {
        if (p > 0 && (is_w(t[p - 1]) || t[p - 1] == ':')) {
            p++;
            continue;
        }
        Py_ssize_t q = p;
        int groups = 0;
        while (groups < 7) {
            Py_ssize_t h = hex_run(t, n, q);
            if (h <= 4 && q + h < n && t[q + h] == ':') {
                q += h + 1;
                groups++;
            } else {
                break;
            }
        }
        Py_ssize_t f = -1;
        if (groups >= 2) {
            Py_ssize_t h = hex_run(t, n, q);
            if (h <= 4 && (q + h >= n || !(is_w(t[q + h]) || t[q + h] == ':'))) f = q + h;
        }
        if (f < 0) {
            p++;
            continue;
        }
        Py_ssize_t colons = 0;
        for (Py_ssize_t i = p; i < f; i++) colons += t[i] == ':';
        if (colons >= 2 && f - p >= 6) {
            int v = ip_ok(cb_ipv6, c->text, p, f);
            if (v < 0) return -1;
            if (v && add_span(c->out, p, f, s_IP_ADDRESS, s_ip, f_095) < 0) return -1;
        }
        p = f;
    }
    return 0;
}

/* ------------------------------------------------------------------ context numbers */

enum { K_ACCOUNT, K_ORDER, K_POLICY, K_BANK, K_NATIONAL, K_SORT };

/* the cue of _CONTEXT_NUMBER at x (with both \b): its end, or -1; *kind set */
static Py_ssize_t cue_at(const unsigned char *t, Py_ssize_t n, Py_ssize_t x, int *kind) {
    /* the alternatives of the cue group; at most one of them is followed by \b at a given
     * position, so their order does not matter: grouped by first letter */
    static const struct {
        const char *w;
        int kind;
    } CUES[] = {
        {"account", K_ACCOUNT}, {"acct", K_ACCOUNT}, {"a/c", K_ACCOUNT}, {"aba", K_BANK},
        {"booking", K_ORDER},
        {"customer", K_ACCOUNT}, {"client", K_ACCOUNT}, {"confirmation", K_ORDER},
        {"case", K_ORDER}, {"claim", K_POLICY}, {"card", K_ACCOUNT},
        {"invoice", K_ORDER}, {"id", K_ACCOUNT},
        {"loyalty", K_ACCOUNT}, {"license", K_NATIONAL}, {"licence", K_NATIONAL},
        {"membership", K_ACCOUNT}, {"member", K_ACCOUNT},
        {"order", K_ORDER},
        {"policy", K_POLICY}, {"pin", K_ACCOUNT}, {"passport", K_NATIONAL},
        {"reference", K_ORDER}, {"ref", K_ORDER}, {"routing", K_BANK},
        {"sort", K_SORT},
        {"tracking", K_ORDER}, {"ticket", K_ORDER},
    };
    size_t lo, hi;
    if (x >= n || (x > 0 && is_w(t[x - 1]))) return -1;
    switch (t[x]) {
    case 'a': lo = 0; hi = 4; break;
    case 'b': lo = 4; hi = 5; break;
    case 'c': lo = 5; hi = 11; break;
    case 'i': lo = 11; hi = 13; break;
    case 'l': lo = 13; hi = 16; break;
    case 'm': lo = 16; hi = 18; break;
    case 'o': lo = 18; hi = 19; break;
    case 'p': lo = 19; hi = 22; break;
    case 'r': lo = 22; hi = 25; break;
    case 's': lo = 25; hi = 26; break;
    case 't': lo = 26; hi = 28; break;
    default: return -1;
    }
    for (size_t k = lo; k < hi; k++) {
        if (!starts(t, n, x, CUES[k].w)) continue;
        Py_ssize_t e = x + (Py_ssize_t)strlen(CUES[k].w);
        if (CUES[k].kind == K_SORT) { /* sort\s+code */
            Py_ssize_t q = skip_s(t, n, e);
            if (q == e || !starts(t, n, q, "code")) continue;
            e = q + 4;
        }
        if (e < n && is_w(t[e])) continue;
        *kind = CUES[k].kind;
        return e;
    }
    return -1;
}

/* the value group at v: (?:[a-z]{1,4}[-/]?)?\d[\da-z]*(?:[ -/]\d[\da-z]*)*  -> end or -1 */
static Py_ssize_t value_at(const unsigned char *t, Py_ssize_t n, Py_ssize_t v) {
    Py_ssize_t d;
    if (v >= n) return -1;
    if (is_lo(t[v])) {
        Py_ssize_t r = v;
        while (r < n && is_lo(t[r])) r++;
        if (r - v > 4) return -1;
        if (r + 1 < n && (t[r] == '-' || t[r] == '/') && is_d(t[r + 1]))
            d = r + 1;
        else if (r < n && is_d(t[r]))
            d = r;
        else
            return -1;
    } else if (is_d(t[v])) {
        d = v;
    } else {
        return -1;
    }
    Py_ssize_t q = d + 1;
    for (;;) {
        while (q < n && (is_d(t[q]) || is_lo(t[q]))) q++;
        if (q + 1 < n && t[q] >= 0x20 && t[q] <= 0x2f && is_d(t[q + 1]))
            q += 2;
        else
            break;
    }
    return q;
}

/* after the cue (ending at ce): the value's start and end (1), or 0 */
static int context_tail(const unsigned char *t, Py_ssize_t n, Py_ssize_t ce, Py_ssize_t *vs,
                        Py_ssize_t *ve) {
    Py_ssize_t apos[10];
    int na = 0;
    Py_ssize_t w = skip_s(t, n, ce);
    if (w > ce) {
        if (starts(t, n, w, "number")) apos[na++] = w + 6;
        if (starts(t, n, w, "no.")) apos[na++] = w + 3;
        if (starts(t, n, w, "no")) apos[na++] = w + 2;
        if (starts(t, n, w, "num")) apos[na++] = w + 3;
        if (starts(t, n, w, "nr")) apos[na++] = w + 2;
        if (starts(t, n, w, "#")) apos[na++] = w + 1;
        if (starts(t, n, w, "id")) apos[na++] = w + 2;
        if (starts(t, n, w, "code")) apos[na++] = w + 4;
    }
    apos[na++] = ce;
    for (int i = 0; i < na; i++) {
        Py_ssize_t s1 = skip_s(t, n, apos[i]);
        Py_ssize_t bpos[2];
        int nb = 0;
        if (starts(t, n, s1, "is"))
            bpos[nb++] = s1 + 2;
        else if (starts(t, n, s1, "was"))
            bpos[nb++] = s1 + 3;
        else if (s1 < n && (t[s1] == ':' || t[s1] == '#' || t[s1] == '=' || t[s1] == '-'))
            bpos[nb++] = s1 + 1;
        bpos[nb++] = s1;
        for (int j = 0; j < nb; j++) {
            Py_ssize_t s2 = skip_s(t, n, bpos[j]);
            Py_ssize_t cpos[2];
            int nc = 0;
            if (starts(t, n, s2, "number") && s2 + 6 < n && is_s(t[s2 + 6]))
                cpos[nc++] = skip_s(t, n, s2 + 6);
            cpos[nc++] = s2;
            for (int k = 0; k < nc; k++) {
                Py_ssize_t e = value_at(t, n, cpos[k]);
                if (e >= 0) {
                    *vs = cpos[k];
                    *ve = e;
                    return 1;
                }
            }
        }
    }
    return 0;
}

static int context_numbers(ctx_t *c, const unsigned char *t, Py_ssize_t n) {
    Py_ssize_t x = 0;
    while (x < n) {
        int kind;
        Py_ssize_t ce = cue_at(t, n, x, &kind), vs, ve;
        if (ce < 0 || !context_tail(t, n, ce, &vs, &ve)) {
            x++;
            continue;
        }
        x = ve;
        Py_ssize_t e = ve;
        while (e > vs && (t[e - 1] == ' ' || t[e - 1] == '-' || t[e - 1] == '/')) e--;
        Py_ssize_t nd = 0;
        for (Py_ssize_t i = vs; i < e; i++) nd += is_d(t[i]);
        if (kind == K_SORT) {
            /* fullmatch \d{2}[- ]?\d{2}[- ]?\d{2} */
            Py_ssize_t q = vs;
            int ok = 1;
            for (int g = 0; g < 3 && ok; g++) {
                if (g > 0 && q < e && (t[q] == '-' || t[q] == ' ')) q++;
                if (q + 1 < e && is_d(t[q]) && is_d(t[q + 1]))
                    q += 2;
                else
                    ok = 0;
            }
            if (ok && q == e && add_span(c->out, vs, e, s_BANK_ACCOUNT, s_context, f_085) < 0)
                return -1;
            continue;
        }
        if (nd < 4) continue;
        PyObject *kobj = s_ACCOUNT_NUMBER, *conf = f_08;
        if (kind == K_ORDER) kobj = s_ORDER_NUMBER;
        if (kind == K_POLICY) kobj = s_POLICY_NUMBER;
        if (kind == K_NATIONAL) kobj = s_NATIONAL_ID;
        if (kind == K_BANK) {
            kobj = s_BANK_ACCOUNT;
            PyObject *digits = PyUnicode_New(nd, 127);
            if (digits == NULL) return -1;
            unsigned char *d = PyUnicode_1BYTE_DATA(digits);
            Py_ssize_t k = 0;
            for (Py_ssize_t i = vs; i < e; i++)
                if (is_d(t[i])) d[k++] = t[i];
            PyObject *ok = PyObject_CallOneArg(cb_rtn, digits);
            Py_DECREF(digits);
            if (ok == NULL) return -1;
            int truth = PyObject_IsTrue(ok);
            Py_DECREF(ok);
            if (truth < 0) return -1;
            conf = truth ? f_095 : f_07;
        }
        if (add_span(c->out, vs, e, kobj, s_context, conf) < 0) return -1;
    }
    return 0;
}

/* any letter run of t in _CONTEXT_CUE_WORDS */
static int has_cue_word(const unsigned char *t, Py_ssize_t n) {
    static const char *WORDS[] = {
        "account", "acct", "a", "member", "membership", "customer", "client", "order",
        "invoice", "booking", "confirmation", "tracking", "ticket", "case", "reference", "ref",
        "policy", "claim", "routing", "aba", "sort", "loyalty", "card", "pin", "passport",
        "license", "licence", "id",
    };
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_al(t[i])) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        while (j < n && is_al(t[j])) j++;
        for (size_t k = 0; k < sizeof(WORDS) / sizeof(WORDS[0]); k++) {
            size_t l = strlen(WORDS[k]);
            if ((Py_ssize_t)l == j - i && memcmp(t + i, WORDS[k], l) == 0) return 1;
        }
        i = j;
    }
    return 0;
}

/* ------------------------------------------------------------------ entry point */

static int builtin_rules_in(PyObject *rules_list) {
    if (!PyList_Check(rules_list) || PyList_GET_SIZE(rules_list) != N_RULES) return 0;
    for (Py_ssize_t i = 0; i < N_RULES; i++)
        if (PyList_GET_ITEM(rules_list, i) != PyTuple_GET_ITEM(builtin_rules, i)) return 0;
    return 1;
}

static PyObject *extend_with(PyObject *out, PyObject *more) {
    if (more == NULL) return NULL;
    int r = PyList_SetSlice(out, PyList_GET_SIZE(out), PyList_GET_SIZE(out), more);
    Py_DECREF(more);
    return r < 0 ? NULL : out;
}

static PyObject *default_region = NULL; /* "US" */
static PyObject *cue_words = NULL;   /* numbers._CONTEXT_CUE_WORDS */
static PyObject *fallback = NULL;    /* numbers._detect_numbers_py */
static PyObject *national_dict = NULL; /* national.__dict__ (RULES is read at each call) */
static PyObject *str_isdisjoint, *str_RULES, *kw_region, *kw_lowered, *kw_n_digits, *kw_words;

/* ------------------------------------------------------------------ non-ASCII texts
 *
 * A text with other characters is scanned through a proxy: every non-ASCII character becomes
 * the ASCII character that every pattern above treats the same way (\w but no letter of any
 * [A-Za-z...] class: '_'; \s but not ' ': 0x1c; anything else: '~', which no pattern names).
 * Offsets stay the same, and every matched span holds ASCII characters only, so the candidates
 * handed to the verifiers are cut from the original text. Characters for which this does not
 * hold are not proxied (the reference handles the text): Unicode digits and numerics (\d,
 * str.isdigit), characters whose case maps to ASCII (the IGNORECASE of _EXT: K, İ, ı, ſ), and
 * İ, whose lower case is two characters long (str.lower() in the national rules). */
static int proxy_char(Py_UCS4 c) {
    if (c < 128) return (int)c;
    if (c == 0x130 || c == 0x131 || c == 0x17f) return -1;
    if (Py_UNICODE_ISNUMERIC(c) || Py_UNICODE_ISDIGIT(c) || Py_UNICODE_ISDECIMAL(c)) return -1;
    if (Py_UNICODE_TOLOWER(c) < 128 || Py_UNICODE_TOUPPER(c) < 128) return -1;
    if (Py_UNICODE_ISALNUM(c)) return '_';
    if (Py_UNICODE_ISSPACE(c)) return 0x1c;
    return '~';
}

/* the byte view of str s for the scanners: its data when ASCII, else a proxy in *buf (to be
 * freed). 1: done; 0: a character that cannot be proxied; -1: error */
static int byte_view(PyObject *s, const unsigned char **view, unsigned char **buf) {
    *buf = NULL;
    if (PyUnicode_IS_ASCII(s)) {
        *view = PyUnicode_1BYTE_DATA(s);
        return 1;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(s);
    int kind = PyUnicode_KIND(s);
    const void *data = PyUnicode_DATA(s);
    unsigned char *b = PyMem_Malloc((size_t)n + 1);
    if (b == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        int p = proxy_char(PyUnicode_READ(kind, data, i));
        if (p < 0) {
            PyMem_Free(b);
            return 0;
        }
        b[i] = (unsigned char)p;
    }
    *view = b;
    *buf = b;
    return 1;
}

static PyObject *scan_bytes(PyObject *text, const unsigned char *t, Py_ssize_t n,
                            const unsigned char *lowered, Py_ssize_t n_digits, long cue,
                            PyObject *region, PyObject *rules_list);

/* the scan of a text; Py_None (new reference) when it is not one handled here: a non-ASCII
 * text needs lowered and the cue flag (words), and characters that can be proxied */
static PyObject *scan_text(PyObject *text, PyObject *lowered, Py_ssize_t n_digits, long cue,
                           PyObject *region, PyObject *rules_list) {
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "privacy.detectors._numbers: setup() not called");
        return NULL;
    }
    if (!PyUnicode_Check(text)) Py_RETURN_NONE;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int ascii = PyUnicode_IS_ASCII(text);
    if (lowered != Py_None &&
        (!PyUnicode_Check(lowered) || PyUnicode_GET_LENGTH(lowered) != n ||
         (ascii && !PyUnicode_IS_ASCII(lowered))))
        Py_RETURN_NONE;
    if (!ascii && (lowered == Py_None || cue < 0)) Py_RETURN_NONE;
    const unsigned char *t, *low = NULL;
    unsigned char *tbuf = NULL, *lbuf = NULL;
    int r = byte_view(text, &t, &tbuf);
    if (r <= 0) {
        if (r < 0) return NULL;
        Py_RETURN_NONE;
    }
    if (lowered != Py_None) {
        r = byte_view(lowered, &low, &lbuf);
        if (r <= 0) {
            PyMem_Free(tbuf);
            if (r < 0) return NULL;
            Py_RETURN_NONE;
        }
    }
    PyObject *out = scan_bytes(text, t, n, low, n_digits, cue, region, rules_list);
    PyMem_Free(tbuf);
    PyMem_Free(lbuf);
    return out;
}

static PyObject *scan_bytes(PyObject *text, const unsigned char *t, Py_ssize_t n,
                            const unsigned char *lowered, Py_ssize_t n_digits, long cue,
                            PyObject *region, PyObject *rules_list) {
    if (n_digits < 0) {
        n_digits = 0;
        for (Py_ssize_t i = 0; i < n; i++) n_digits += is_d(t[i]);
    }
    int has_dot = n > 0 && memchr(t, '.', (size_t)n) != NULL;
    int has_colon = n > 0 && memchr(t, ':', (size_t)n) != NULL;
    PyObject *out = PyList_New(0);
    if (out == NULL) return NULL;
    ctx_t c = {text, t, n, region, out};
    unsigned char *lower = NULL;
    if (n_digits >= 7 && sequence_spans(&c) < 0) goto fail;
    if (builtin_rules_in(rules_list)) {
        if (n_digits >= rules_min_digits && national_ids(&c, n_digits) < 0) goto fail;
    } else {
        PyObject *m = PyObject_CallNoArgs(cb_min_rule_digits);
        if (m == NULL) goto fail;
        Py_ssize_t min_digits = PyLong_AsSsize_t(m);
        Py_DECREF(m);
        if (min_digits == -1 && PyErr_Occurred()) goto fail;
        if (n_digits >= min_digits) {
            PyObject *kw = Py_BuildValue("{s:n}", "n_digits", n_digits);
            if (kw == NULL) goto fail;
            PyObject *a = PyTuple_Pack(1, text);
            if (a == NULL) {
                Py_DECREF(kw);
                goto fail;
            }
            PyObject *more = PyObject_Call(cb_national, a, kw);
            Py_DECREF(a);
            Py_DECREF(kw);
            if (extend_with(out, more) == NULL) goto fail;
        }
    }
    if (ibans(&c) < 0) goto fail;
    if (n_digits >= 4 && has_dot && ipv4s(&c) < 0) goto fail;
    if (has_colon && ipv6s(&c) < 0) goto fail;
    if (n_digits >= 4) {
        const unsigned char *low;
        if (lowered != NULL) {
            low = lowered;
        } else {
            lower = PyMem_Malloc((size_t)n + 1);
            if (lower == NULL) {
                PyErr_NoMemory();
                goto fail;
            }
            for (Py_ssize_t i = 0; i < n; i++) lower[i] = to_lo(t[i]);
            low = lower;
        }
        int has = cue < 0 ? has_cue_word(low, n) : cue != 0;
        if (has && context_numbers(&c, low, n) < 0) goto fail;
    }
    PyMem_Free(lower);
    return out;
fail:
    PyMem_Free(lower);
    Py_DECREF(out);
    return NULL;
}

PyDoc_STRVAR(scan_doc,
             "scan(text, lowered, n_digits, cue, region, rules) -> list[Span] | None\n\n"
             "The C path alone: numbers.detect_numbers for an ASCII text. lowered:\n"
             "lower_same_length(text) or None; n_digits: -1 to count; cue: 1/0 (a context cue\n"
             "word among the words) or -1 to find the words in lowered; rules: national.RULES.\n"
             "None: a text it does not handle (not ASCII).");

static PyObject *py_scan(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs != 6) {
        PyErr_SetString(PyExc_TypeError, "scan takes 6 arguments");
        return NULL;
    }
    Py_ssize_t n_digits = PyLong_AsSsize_t(args[2]);
    if (n_digits == -1 && PyErr_Occurred()) return NULL;
    long cue = PyLong_AsLong(args[3]);
    if (cue == -1 && PyErr_Occurred()) return NULL;
    return scan_text(args[0], args[1], n_digits, cue, args[4], args[5]);
}

PyDoc_STRVAR(detect_numbers_doc,
             "detect_numbers(text, *, region='US', lowered=None, n_digits=None, words=None)\n\n"
             "numbers.detect_numbers: ASCII texts are scanned here, every other call goes to\n"
             "numbers._detect_numbers_py with the same arguments.");

static PyObject *py_detect_numbers(PyObject *self, PyObject *const *args, size_t nargsf,
                                   PyObject *kwnames) {
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "privacy.detectors._numbers: setup() not called");
        return NULL;
    }
    PyObject *region = NULL, *lowered = Py_None, *n_digits_obj = Py_None, *words = Py_None;
    int plain = nargs == 1;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t i = 0; i < nkw && plain; i++) {
        PyObject *k = PyTuple_GET_ITEM(kwnames, i), *v = args[nargs + i];
        if (k == kw_region || PyUnicode_Compare(k, kw_region) == 0)
            region = v;
        else if (k == kw_lowered || PyUnicode_Compare(k, kw_lowered) == 0)
            lowered = v;
        else if (k == kw_n_digits || PyUnicode_Compare(k, kw_n_digits) == 0)
            n_digits_obj = v;
        else if (k == kw_words || PyUnicode_Compare(k, kw_words) == 0)
            words = v;
        else
            plain = 0;
        if (PyErr_Occurred()) return NULL;
    }
    /* anything but (str text, int n_digits, str region): the reference */
    if (!plain || !PyUnicode_CheckExact(args[0]) ||
        (n_digits_obj != Py_None && !PyLong_CheckExact(n_digits_obj)) ||
        (region != NULL && !PyUnicode_CheckExact(region)))
        return PyObject_Vectorcall(fallback, args, nargsf, kwnames);
    Py_ssize_t n_digits = -1;
    if (n_digits_obj != Py_None) {
        n_digits = PyLong_AsSsize_t(n_digits_obj);
        if (n_digits == -1 && PyErr_Occurred()) return NULL;
        if (n_digits < 0) return PyObject_Vectorcall(fallback, args, nargsf, kwnames);
    }
    long cue = -1;
    if (words != Py_None) {
        PyObject *call_args[2] = {cue_words, words};
        PyObject *disjoint = PyObject_VectorcallMethod(
            str_isdisjoint, call_args, 2 | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
        if (disjoint == NULL) return NULL;
        int d = PyObject_IsTrue(disjoint);
        Py_DECREF(disjoint);
        if (d < 0) return NULL;
        cue = !d;
    }
    PyObject *rules_list = PyDict_GetItemWithError(national_dict, str_RULES); /* borrowed */
    if (rules_list == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_AttributeError, "national.RULES");
        return NULL;
    }
    Py_INCREF(rules_list);
    PyObject *region_obj = region;
    if (region_obj == NULL) region_obj = default_region;
    PyObject *out = scan_text(args[0], lowered, n_digits, cue, region_obj, rules_list);
    Py_DECREF(rules_list);
    if (out != Py_None) return out;
    Py_DECREF(out);
    return PyObject_Vectorcall(fallback, args, nargsf, kwnames);
}

/* ------------------------------------------------------------------ setup */

static void free_rules(void) {
    for (int r = 0; r < N_RULES; r++) {
        Py_CLEAR(rules[r].kind);
        Py_CLEAR(rules[r].validate);
        Py_CLEAR(rules[r].confidence);
        for (Py_ssize_t w = 0; w < rules[r].n_context; w++) PyMem_Free(rules[r].context[w]);
        rules[r].n_context = 0;
    }
}

static int get_ssize_attr(PyObject *o, const char *name, Py_ssize_t *v) {
    PyObject *a = PyObject_GetAttrString(o, name);
    if (a == NULL) return -1;
    *v = PyLong_AsSsize_t(a);
    Py_DECREF(a);
    return (*v == -1 && PyErr_Occurred()) ? -1 : 0;
}

static int load_rule(int r, PyObject *rule) {
    rule_t *R = &rules[r];
    PyObject *pattern = PyObject_GetAttrString(rule, "pattern");
    if (pattern == NULL) return -1;
    PyObject *src = PyObject_GetAttrString(pattern, "pattern");
    Py_DECREF(pattern);
    if (src == NULL) return -1;
    const char *s = PyUnicode_Check(src) ? PyUnicode_AsUTF8(src) : NULL;
    int same = s != NULL && strcmp(s, PAT_RULES[r]) == 0;
    Py_DECREF(src);
    if (!same) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "national rule %d: pattern differs from the C scanner", r);
        return -1;
    }
    if (!(R->kind = PyObject_GetAttrString(rule, "kind"))) return -1;
    if (!(R->validate = PyObject_GetAttrString(rule, "validate"))) return -1;
    if (!(R->confidence = PyObject_GetAttrString(rule, "confidence"))) return -1;
    if (get_ssize_attr(rule, "min_digits", &R->min_digits) < 0) return -1;
    if (get_ssize_attr(rule, "context_chars", &R->context_chars) < 0) return -1;
    PyObject *ctxw = PyObject_GetAttrString(rule, "context");
    if (ctxw == NULL) return -1;
    if (!PyTuple_Check(ctxw) || PyTuple_GET_SIZE(ctxw) > MAX_CONTEXT) {
        Py_DECREF(ctxw);
        PyErr_Format(PyExc_ValueError, "national rule %d: context must be a short tuple", r);
        return -1;
    }
    for (Py_ssize_t w = 0; w < PyTuple_GET_SIZE(ctxw); w++) {
        PyObject *word = PyTuple_GET_ITEM(ctxw, w);
        Py_ssize_t len;
        const char *ws = PyUnicode_Check(word) ? PyUnicode_AsUTF8AndSize(word, &len) : NULL;
        if (ws == NULL || !PyUnicode_IS_ASCII(word)) {
            Py_DECREF(ctxw);
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_ValueError, "national rule %d: context words must be ASCII", r);
            return -1;
        }
        char *copy = PyMem_Malloc((size_t)len + 1);
        if (copy == NULL) {
            Py_DECREF(ctxw);
            PyErr_NoMemory();
            return -1;
        }
        memcpy(copy, ws, (size_t)len + 1);
        R->context[w] = copy;
        R->context_len[w] = len;
        R->n_context = w + 1;
    }
    Py_DECREF(ctxw);
    return 0;
}

PyDoc_STRVAR(setup_doc,
             "setup(span_type, phone_confidence, iban_valid, iban_length, ipv4, ipv6, rtn_valid,\n"
             "      validated, detect_national_ids, min_rule_digits, builtin_rules, cue_words,\n"
             "      detect_numbers_py, national_module) -> None");

static PyObject *py_setup(PyObject *self, PyObject *args) {
    PyObject *span, *phone, *ibv, *ibl, *v4, *v6, *rtn, *val, *nat, *mrd, *rules_t, *cues, *fb,
        *nat_mod;
    if (!PyArg_ParseTuple(args, "O!OOOOOOOOOO!OOO:setup", &PyType_Type, &span, &phone, &ibv, &ibl,
                          &v4, &v6, &rtn, &val, &nat, &mrd, &PyTuple_Type, &rules_t, &cues, &fb,
                          &nat_mod))
        return NULL;
    PyObject *nat_dict = PyModule_Check(nat_mod) ? PyModule_GetDict(nat_mod) : NULL; /* borrowed */
    if (nat_dict == NULL) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "setup: national must be a module");
        return NULL;
    }
    if (!PyType_IsSubtype((PyTypeObject *)span, &PyTuple_Type)) {
        PyErr_SetString(PyExc_TypeError, "setup: span_type must be a tuple subclass");
        return NULL;
    }
    if (PyTuple_GET_SIZE(rules_t) != N_RULES) {
        PyErr_Format(PyExc_ValueError, "setup: builtin_rules must hold %d rules", N_RULES);
        return NULL;
    }
    configured = 0;
    free_rules();
    for (int r = 0; r < N_RULES; r++)
        if (load_rule(r, PyTuple_GET_ITEM(rules_t, r)) < 0) {
            free_rules();
            return NULL;
        }
    rules_min_digits = rules[0].min_digits;
    for (int r = 1; r < N_RULES; r++)
        if (rules[r].min_digits < rules_min_digits) rules_min_digits = rules[r].min_digits;
    Py_INCREF(span);
    Py_XSETREF(SpanType, (PyTypeObject *)span);
#define KEEP(dst, src) \
    do {               \
        Py_INCREF(src); \
        Py_XSETREF(dst, src); \
    } while (0)
    KEEP(cb_phone, phone);
    KEEP(cb_iban_valid, ibv);
    KEEP(cb_iban_length, ibl);
    KEEP(cb_ipv4, v4);
    KEEP(cb_ipv6, v6);
    KEEP(cb_rtn, rtn);
    KEEP(cb_validated, val);
    KEEP(cb_national, nat);
    KEEP(cb_min_rule_digits, mrd);
    KEEP(builtin_rules, rules_t);
    KEEP(cue_words, cues);
    KEEP(fallback, fb);
    KEEP(national_dict, nat_dict);
#undef KEEP
    configured = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"detect_numbers", (PyCFunction)(void (*)(void))py_detect_numbers,
     METH_FASTCALL | METH_KEYWORDS, detect_numbers_doc},
    {"scan", (PyCFunction)(void (*)(void))py_scan, METH_FASTCALL, scan_doc},
    {"setup", py_setup, METH_VARARGS, setup_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "privacy.detectors._numbers",
    "C twin of privacy.detectors.numbers.detect_numbers for ASCII texts.", -1, methods,
    NULL, NULL, NULL, NULL,
};

static int intern_all(void) {
#define S(var, lit) \
    if (!(var = PyUnicode_InternFromString(lit))) return -1;
    S(s_CREDIT_CARD, "CREDIT_CARD");
    S(s_card, "card");
    S(s_PHONE, "PHONE");
    S(s_phone, "phone");
    S(s_NUMBER, "NUMBER");
    S(s_long_number, "long_number");
    S(s_IBAN, "IBAN");
    S(s_iban, "iban");
    S(s_IP_ADDRESS, "IP_ADDRESS");
    S(s_ip, "ip");
    S(s_national_id, "national_id");
    S(s_context, "context");
    S(s_BANK_ACCOUNT, "BANK_ACCOUNT");
    S(s_ACCOUNT_NUMBER, "ACCOUNT_NUMBER");
    S(s_ORDER_NUMBER, "ORDER_NUMBER");
    S(s_POLICY_NUMBER, "POLICY_NUMBER");
    S(s_NATIONAL_ID, "NATIONAL_ID");
    S(default_region, "US");
    S(str_isdisjoint, "isdisjoint");
    S(str_RULES, "RULES");
    S(kw_region, "region");
    S(kw_lowered, "lowered");
    S(kw_n_digits, "n_digits");
    S(kw_words, "words");
#undef S
#define F(var, v) \
    if (!(var = PyFloat_FromDouble(v))) return -1;
    F(f_095, 0.95);
    F(f_04, 0.4);
    F(f_075, 0.75);
    F(f_099, 0.99);
    F(f_085, 0.85);
    F(f_08, 0.8);
    F(f_07, 0.7);
#undef F
    return 0;
}

PyMODINIT_FUNC PyInit__numbers(void) {
    if (intern_all() < 0) return NULL;
    PyObject *m = PyModule_Create(&moduledef);
    if (m == NULL) return NULL;
    PyObject *pats = Py_BuildValue(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "_DATE", PAT_DATE, "_GAP_OK", PAT_GAP_OK, "_CHAIN",
        PAT_CHAIN, "_EXT", PAT_EXT, "_IPV4", PAT_IPV4, "_IPV6", PAT_IPV6, "_IBAN", PAT_IBAN,
        "_CONTEXT_NUMBER", PAT_CONTEXT_NUMBER);
    if (pats == NULL || PyModule_AddObject(m, "PATTERNS", pats) < 0) {
        Py_XDECREF(pats);
        Py_DECREF(m);
        return NULL;
    }
    PyObject *rp = Py_BuildValue("(sssss)", PAT_RULES[0], PAT_RULES[1], PAT_RULES[2], PAT_RULES[3],
                                 PAT_RULES[4]);
    if (rp == NULL || PyModule_AddObject(m, "RULE_PATTERNS", rp) < 0) {
        Py_XDECREF(rp);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
