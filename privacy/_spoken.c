/* privacy.spoken.normalise, compiled, for ASCII texts.
 *
 * Same result as the Python reference (privacy.spoken._normalise_py) for every ASCII str: the same
 * new text and the same segment map (tests/unit/privacy/test_accel_spoken.py compares them on the
 * development corpora and on generated texts). The number words stay defined in Python:
 * configure() copies them once into a small table (each word with its value in UNITS, TEENS, TENS,
 * REPEAT, SCALE and whether it is weak), so a word is looked up without making a Python object.
 *
 * normalise(text, checked) -> Normalised: Normalised(text) when nothing changes, else
 * Normalised(new_text, seg_starts, seg_map).
 * to_original(seg_starts, seg_map, start, end) -> (start, end) on the original text.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#define MAX_WORD 15 /* longer letter runs are never number words */
#define MAX_WORDS 128
#define GROUP_CAP 16 /* digits one number word may become (bounded by configure's checks) */

typedef struct {
    char text[MAX_WORD + 1];
    int len;
    int unit;   /* UNITS value, -1: not a unit word */
    int teen;   /* TEENS value, -1 */
    int tens;   /* TENS value, -1 */
    int repeat; /* REPEAT value, 0: not a repeat word */
    int scale;  /* SCALE value (zeros), 0: not a scale word */
    int weak;   /* in _WEAK */
} Word;

static Word WORDS[MAX_WORDS];
static int NWORDS = 0;
static int CONFIGURED = 0;
static PyObject *NORMALISED; /* the privacy.spoken.Normalised class */
static PyObject *EMPTY_TUPLE, *NAME_TEXT, *NAME_SEG_STARTS, *NAME_SEG_MAP;

#define DIGITS (-1) /* token kind of a digit run */

typedef struct {
    Py_ssize_t start, end;
    int word; /* index into WORDS, or DIGITS */
} Token;

typedef struct {
    Py_ssize_t new_start; /* on the new text */
    Py_ssize_t orig;      /* original start */
    Py_ssize_t orig_end;  /* original end, -1: copied text */
} Segment;

typedef struct {
    const char *ptr; /* digits of a digit run point into the text, others into buf */
    Py_ssize_t len;
    char buf[GROUP_CAP];
} Group;

static inline int is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static inline int is_digit(char c) { return c >= '0' && c <= '9'; }
static inline char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

/* Python's \s on ASCII str: [ \t\n\v\f\r] and the separators \x1c-\x1f. */
static inline int is_space(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

/* Index of the number word text[start:end] (any case), or -1. */
static int lookup(const char *t, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t len = end - start;
    if (len <= 0 || len > MAX_WORD)
        return -1;
    char low[MAX_WORD];
    for (Py_ssize_t k = 0; k < len; k++)
        low[k] = to_lower(t[start + k]);
    for (int w = 0; w < NWORDS; w++)
        if (WORDS[w].len == len && WORDS[w].text[0] == low[0] &&
            memcmp(WORDS[w].text, low, (size_t)len) == 0)
            return w;
    return -1;
}

static inline int is_unit(int w) { return w >= 0 && WORDS[w].unit >= 0; }
static inline int is_teen(int w) { return w >= 0 && WORDS[w].teen >= 0; }
static inline int is_tens(int w) { return w >= 0 && WORDS[w].tens >= 0; }
static inline int is_repeat(int w) { return w >= 0 && WORDS[w].repeat > 0; }
static inline int is_scale(int w) { return w >= 0 && WORDS[w].scale > 0; }
static inline int is_weak(int w) { return w >= 0 && WORDS[w].weak; }

/* ---- growable buffers ---------------------------------------------------------------------- */

typedef struct {
    char *data;
    Py_ssize_t len, cap;
} CharBuf;

static int charbuf_put(CharBuf *b, const char *s, Py_ssize_t n)
{
    if (n <= 0)
        return 0;
    if (b->len + n > b->cap) {
        Py_ssize_t cap = b->cap * 2 + n + 64;
        if (cap < 0 || (size_t)cap > PY_SSIZE_T_MAX) {
            PyErr_NoMemory();
            return -1;
        }
        char *fresh = PyMem_Realloc(b->data, (size_t)cap);
        if (fresh == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->data = fresh;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, (size_t)n);
    b->len += n;
    return 0;
}

typedef struct {
    Segment *data;
    Py_ssize_t len, cap;
} SegBuf;

static int segbuf_put(SegBuf *b, Py_ssize_t new_start, Py_ssize_t orig, Py_ssize_t orig_end)
{
    if (b->len >= b->cap) {
        Py_ssize_t cap = b->cap * 2 + 16;
        if ((size_t)cap > PY_SSIZE_T_MAX / sizeof(Segment)) {
            PyErr_NoMemory();
            return -1;
        }
        Segment *fresh = PyMem_Realloc(b->data, (size_t)cap * sizeof(Segment));
        if (fresh == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        b->data = fresh;
        b->cap = cap;
    }
    b->data[b->len].new_start = new_start;
    b->data[b->len].orig = orig;
    b->data[b->len].orig_end = orig_end;
    b->len++;
    return 0;
}

/* ---- the steps of normalise ---------------------------------------------------------------- */

/* has_spoken_number on ASCII: some maximal letter run is a number word that is not weak. */
static int has_strong_word(const char *t, Py_ssize_t n)
{
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_letter(t[i])) {
            i++;
            continue;
        }
        Py_ssize_t s = i;
        while (i < n && is_letter(t[i]))
            i++;
        int w = lookup(t, s, i);
        if (w >= 0 && !WORDS[w].weak)
            return 1;
    }
    return 0;
}

/* The tokens of the reference: maximal letter runs that are number words, digit runs, and
 * "forty-five" (a TENS word, a hyphen, a UNITS word) as two tokens; any other hyphen-joined pair
 * of letter runs is no token at all (like _TOKEN = [A-Za-z]+(?:-[A-Za-z]+)?|\d+). Without a
 * letter-hyphen-letter in the text this is exactly the reference's fast path (_NUMBER_TOKEN).
 * ``toks`` holds n + 1 tokens (each token is at least one character long). */
static Py_ssize_t tokenize(const char *t, Py_ssize_t n, Token *toks)
{
    Py_ssize_t count = 0, i = 0;
    while (i < n) {
        char c = t[i];
        if (is_letter(c)) {
            Py_ssize_t s = i;
            while (i < n && is_letter(t[i]))
                i++;
            Py_ssize_t e = i;
            if (i + 1 < n && t[i] == '-' && is_letter(t[i + 1])) {
                Py_ssize_t s2 = i + 1, e2 = i + 1;
                while (e2 < n && is_letter(t[e2]))
                    e2++;
                int w0 = lookup(t, s, e), w1 = lookup(t, s2, e2);
                if (is_tens(w0) && is_unit(w1)) {
                    toks[count++] = (Token){s, e, w0};
                    toks[count++] = (Token){s2, e2, w1};
                }
                i = e2;
            }
            else {
                int w = lookup(t, s, e);
                if (w >= 0)
                    toks[count++] = (Token){s, e, w};
            }
        }
        else if (is_digit(c)) {
            Py_ssize_t s = i;
            while (i < n && is_digit(t[i]))
                i++;
            toks[count++] = (Token){s, i, DIGITS};
        }
        else
            i++;
    }
    return count;
}

/* Does text[a:b] join two number tokens into one run? (gap == " " or _GAP.match(gap)) */
static int gap_joins(const char *t, Py_ssize_t a, Py_ssize_t b)
{
    Py_ssize_t k;
    for (k = a; k < b; k++) {
        char c = t[k];
        if (!(is_space(c) || c == ',' || c == '.' || c == '-' || c == '/'))
            break;
    }
    if (k == b)
        return 1; /* [\s,.\-–/]* */
    /* \s+and\s+ (any case) */
    k = a;
    while (k < b && is_space(t[k]))
        k++;
    if (k == a || b - k < 4)
        return 0;
    if (to_lower(t[k]) != 'a' || to_lower(t[k + 1]) != 'n' || to_lower(t[k + 2]) != 'd')
        return 0;
    k += 3;
    Py_ssize_t after = k;
    while (k < b && is_space(t[k]))
        k++;
    return k == b && k > after;
}

/* Does text[a:b].strip(" -") leave anything? */
static int gap_shows(const char *t, Py_ssize_t a, Py_ssize_t b)
{
    for (Py_ssize_t k = a; k < b; k++)
        if (t[k] != ' ' && t[k] != '-')
            return 1;
    return 0;
}

static inline void group_set(Group *g, char digit, int count)
{
    if (count > GROUP_CAP)
        count = GROUP_CAP; /* configure() keeps counts far below */
    if (count < 0)
        count = 0;
    memset(g->buf, digit, (size_t)count);
    g->ptr = g->buf;
    g->len = count;
}

/* ``digit`` followed by ``zeros`` zeros (zeros < 0: none, like "0" * -1). */
static inline void group_digit_zeros(Group *g, int digit, int zeros)
{
    if (zeros < 0)
        zeros = 0;
    if (zeros > GROUP_CAP - 1)
        zeros = GROUP_CAP - 1;
    g->buf[0] = (char)('0' + digit);
    memset(g->buf + 1, '0', (size_t)zeros);
    g->ptr = g->buf;
    g->len = 1 + zeros;
}

static inline void group_number(Group *g, int value) /* str(value), 0 <= value <= 99 */
{
    if (value >= 10) {
        g->buf[0] = (char)('0' + value / 10);
        g->buf[1] = (char)('0' + value % 10);
        g->len = 2;
    }
    else {
        g->buf[0] = (char)('0' + value);
        g->len = 1;
    }
    g->ptr = g->buf;
}

/* _digits_of: one digit group per token of the run toks[0:m]. */
static void digits_of(const char *t, const Token *toks, Py_ssize_t m, Group *out)
{
    Py_ssize_t i = 0;
    while (i < m) {
        int w = toks[i].word;
        int next = i + 1 < m ? toks[i + 1].word : DIGITS;
        Group *g = &out[i];
        g->ptr = g->buf;
        g->len = 0;
        if (is_unit(w) && (i + 1 >= m || !is_scale(next))) {
            group_number(g, WORDS[w].unit);
        }
        else if (w == DIGITS) {
            g->ptr = t + toks[i].start;
            g->len = toks[i].end - toks[i].start;
        }
        else if (is_repeat(w) && i + 1 < m && is_unit(next)) {
            int d = WORDS[next].unit;
            group_number(g, d);
            group_set(&out[i + 1], (char)('0' + d), WORDS[w].repeat - 1);
            i++;
        }
        else if (is_repeat(w)) {
            /* "" */
        }
        else if (is_unit(w)) {
            if (i + 1 < m && is_scale(next)) {
                int zeros = WORDS[next].scale;
                int tail = i + 2 < m ? toks[i + 2].word : DIGITS; /* "" and digits: no word */
                int u = WORDS[w].unit;
                if (is_tens(tail) || is_teen(tail))
                    group_digit_zeros(g, u, zeros - 2);
                else if (is_unit(tail) && zeros == 2)
                    group_digit_zeros(g, u, 1);
                else if (is_unit(tail))
                    group_digit_zeros(g, u, zeros - 1);
                else {
                    group_digit_zeros(g, u, zeros - 1);
                    group_set(&out[i + 1], '0', 1);
                    i += 2;
                    continue;
                }
                out[i + 1].ptr = out[i + 1].buf;
                out[i + 1].len = 0;
                i++;
            }
            else
                group_number(g, WORDS[w].unit);
        }
        else if (is_teen(w)) {
            group_number(g, WORDS[w].teen);
        }
        else if (is_tens(w)) {
            if (i + 1 < m && is_unit(next) && !is_weak(next)) {
                group_number(g, WORDS[w].tens);
                group_number(&out[i + 1], WORDS[next].unit);
                i++;
            }
            else
                group_digit_zeros(g, WORDS[w].tens, 1);
        }
        else if (is_scale(w)) {
            group_digit_zeros(g, 1, WORDS[w].scale);
        }
        i++;
    }
}

/* Emit one run (toks[0:m]) into the buffers; ``*pos`` is the original offset copied up to. */
static int emit_run(const char *t, const Token *run, Py_ssize_t m, Group *groups, Py_ssize_t *pos,
                    CharBuf *out, SegBuf *segs)
{
    digits_of(t, run, m, groups);
    Py_ssize_t run_start = run[0].start;
    if (run_start > *pos) {
        if (segbuf_put(segs, out->len, *pos, -1) < 0 ||
            charbuf_put(out, t + *pos, run_start - *pos) < 0)
            return -1;
    }
    Py_ssize_t prev_end = -1;
    for (Py_ssize_t k = 0; k < m; k++) {
        Py_ssize_t s = run[k].start, e = run[k].end;
        if (prev_end >= 0 && gap_shows(t, prev_end, s)) {
            /* spaces between spoken digits vanish; commas and "and" become one space */
            if (segbuf_put(segs, out->len, prev_end, s) < 0 || charbuf_put(out, " ", 1) < 0)
                return -1;
        }
        prev_end = e;
        if (groups[k].len > 0) {
            if (segbuf_put(segs, out->len, s, e) < 0 ||
                charbuf_put(out, groups[k].ptr, groups[k].len) < 0)
                return -1;
        }
    }
    *pos = run[m - 1].end;
    return 0;
}

/* A Normalised(text, seg_starts, seg_map), made like its dataclass __init__ does: object.__new__,
 * then each slot set past the frozen __setattr__ (the generic setter, like object.__setattr__). */
static PyObject *make_normalised(PyObject *text, PyObject *starts, PyObject *map)
{
    PyTypeObject *tp = (PyTypeObject *)NORMALISED;
    PyObject *obj = tp->tp_new(tp, EMPTY_TUPLE, NULL);
    if (obj == NULL)
        return NULL;
    if (PyObject_GenericSetAttr(obj, NAME_TEXT, text) < 0 ||
        PyObject_GenericSetAttr(obj, NAME_SEG_STARTS, starts) < 0 ||
        PyObject_GenericSetAttr(obj, NAME_SEG_MAP, map) < 0) {
        Py_DECREF(obj);
        return NULL;
    }
    return obj;
}

static PyObject *build_result(const CharBuf *out, const SegBuf *segs)
{
    PyObject *text = NULL, *starts = NULL, *map = NULL, *result = NULL;
    text = PyUnicode_New(out->len, 127);
    if (text == NULL)
        goto done;
    if (out->len > 0)
        memcpy(PyUnicode_DATA(text), out->data, (size_t)out->len);
    starts = PyList_New(segs->len);
    map = PyList_New(segs->len);
    if (starts == NULL || map == NULL)
        goto done;
    for (Py_ssize_t k = 0; k < segs->len; k++) {
        const Segment *sg = &segs->data[k];
        PyObject *ns = PyLong_FromSsize_t(sg->new_start);
        if (ns == NULL)
            goto done;
        PyList_SET_ITEM(starts, k, ns);
        PyObject *pair = PyTuple_New(2);
        if (pair == NULL)
            goto done;
        PyList_SET_ITEM(map, k, pair);
        PyObject *a = PyLong_FromSsize_t(sg->orig);
        if (a == NULL)
            goto done;
        PyTuple_SET_ITEM(pair, 0, a);
        PyObject *b = PyLong_FromSsize_t(sg->orig_end);
        if (b == NULL)
            goto done;
        PyTuple_SET_ITEM(pair, 1, b);
    }
    result = make_normalised(text, starts, map);
done:
    Py_XDECREF(text);
    Py_XDECREF(starts);
    Py_XDECREF(map);
    return result;
}

static PyObject *spoken_normalise(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "normalise expects 2 arguments, got %zd", nargs);
        return NULL;
    }
    PyObject *text = args[0];
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "normalise: text must be a str, got %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    int checked = PyObject_IsTrue(args[1]);
    if (checked < 0)
        return NULL;
    if (!CONFIGURED) {
        PyErr_SetString(PyExc_RuntimeError, "privacy._spoken: configure() was not called");
        return NULL;
    }
    if (!PyUnicode_IS_ASCII(text)) {
        PyErr_SetString(PyExc_ValueError, "privacy._spoken.normalise: text must be ASCII");
        return NULL;
    }
    const char *t = (const char *)PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n == 0 || (!checked && !has_strong_word(t, n)))
        return make_normalised(text, Py_None, Py_None); /* no token: nothing changes */

    PyObject *result = NULL;
    Token *toks = NULL;
    Group *groups = NULL;
    CharBuf out = {NULL, 0, 0};
    SegBuf segs = {NULL, 0, 0};
    if ((size_t)n + 1 > PY_SSIZE_T_MAX / sizeof(Token)) {
        PyErr_NoMemory();
        goto done;
    }
    toks = PyMem_Malloc(((size_t)n + 1) * sizeof(Token));
    if (toks == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_ssize_t ntoks = tokenize(t, n, toks);
    if (ntoks == 0) {
        result = make_normalised(text, Py_None, Py_None);
        goto done;
    }
    Py_ssize_t pos = 0;
    int changed = 0;
    Py_ssize_t run_first = 0;
    for (Py_ssize_t k = 1; k <= ntoks; k++) {
        const Token *prev = &toks[k - 1];
        if (k < ntoks) {
            Py_ssize_t a = prev->end, b = toks[k].start;
            if ((b - a == 1 && t[a] == ' ') || gap_joins(t, a, b))
                continue; /* same run */
        }
        /* the run toks[run_first:k] is complete */
        const Token *run = &toks[run_first];
        Py_ssize_t m = k - run_first;
        run_first = k;
        int all_digits = 1, all_weak = 1;
        for (Py_ssize_t j = 0; j < m; j++) {
            if (run[j].word != DIGITS)
                all_digits = 0;
            if (!is_weak(run[j].word))
                all_weak = 0;
        }
        if (all_digits || all_weak)
            continue; /* digits stay; "oh", "o" alone are letters, not zeros */
        if (groups == NULL) {
            groups = PyMem_Malloc((size_t)ntoks * sizeof(Group));
            if (groups == NULL) {
                PyErr_NoMemory();
                goto done;
            }
        }
        if (emit_run(t, run, m, groups, &pos, &out, &segs) < 0)
            goto done;
        changed = 1;
    }
    if (!changed) {
        result = make_normalised(text, Py_None, Py_None);
        goto done;
    }
    if (pos < n) {
        if (segbuf_put(&segs, out.len, pos, -1) < 0 || charbuf_put(&out, t + pos, n - pos) < 0)
            goto done;
    }
    result = build_result(&out, &segs);
done:
    PyMem_Free(toks);
    PyMem_Free(groups);
    PyMem_Free(out.data);
    PyMem_Free(segs.data);
    return result;
}

/* ---- to_original --------------------------------------------------------------------------- */

/* Python's list[i] for -len <= i < len (negative: from the end), else IndexError. */
static int wrap_index(Py_ssize_t *i, Py_ssize_t len)
{
    if (*i < 0)
        *i += len;
    if (*i < 0 || *i >= len) {
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return -1;
    }
    return 0;
}

/* bisect_right(starts, x), starts a list of ints; -1 with an exception set on error. */
static Py_ssize_t bisect_right(PyObject *starts, Py_ssize_t x)
{
    Py_ssize_t lo = 0, hi = PyList_GET_SIZE(starts);
    while (lo < hi) {
        Py_ssize_t mid = lo + (hi - lo) / 2;
        Py_ssize_t v = PyLong_AsSsize_t(PyList_GET_ITEM(starts, mid));
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (x < v)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* seg_map[i] -> (orig, orig_end), seg_starts[i] -> *seg_start; i wrapped like Python's. */
static int segment_at(PyObject *starts, PyObject *map, Py_ssize_t i, Py_ssize_t *seg_start,
                      Py_ssize_t *orig, Py_ssize_t *orig_end)
{
    Py_ssize_t im = i, is = i;
    if (wrap_index(&im, PyList_GET_SIZE(map)) < 0)
        return -1;
    PyObject *pair = PyList_GET_ITEM(map, im);
    if (!PyTuple_Check(pair) || PyTuple_GET_SIZE(pair) != 2) {
        PyErr_SetString(PyExc_TypeError, "to_original: seg_map items must be (int, int) tuples");
        return -1;
    }
    *orig = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 0));
    if (*orig == -1 && PyErr_Occurred())
        return -1;
    *orig_end = PyLong_AsSsize_t(PyTuple_GET_ITEM(pair, 1));
    if (*orig_end == -1 && PyErr_Occurred())
        return -1;
    if (*orig_end < 0) { /* seg_starts[i] is only read for copied text */
        if (wrap_index(&is, PyList_GET_SIZE(starts)) < 0)
            return -1;
        *seg_start = PyLong_AsSsize_t(PyList_GET_ITEM(starts, is));
        if (*seg_start == -1 && PyErr_Occurred())
            return -1;
    }
    return 0;
}

static PyObject *spoken_to_original(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 4) {
        PyErr_Format(PyExc_TypeError, "to_original expects 4 arguments, got %zd", nargs);
        return NULL;
    }
    PyObject *starts = args[0], *map = args[1];
    if (!PyList_Check(starts) || !PyList_Check(map)) {
        PyErr_SetString(PyExc_TypeError, "to_original: seg_starts and seg_map must be lists");
        return NULL;
    }
    Py_ssize_t start = PyLong_AsSsize_t(args[2]);
    if (start == -1 && PyErr_Occurred())
        return NULL;
    Py_ssize_t end = PyLong_AsSsize_t(args[3]);
    if (end == -1 && PyErr_Occurred())
        return NULL;
    if (end == PY_SSIZE_T_MIN) {
        PyErr_SetString(PyExc_OverflowError, "to_original: end out of range");
        return NULL;
    }
    Py_ssize_t seg_start = 0, orig, orig_end, first, last;
    Py_ssize_t i = bisect_right(starts, start);
    if (i < 0)
        return NULL;
    if (segment_at(starts, map, i - 1, &seg_start, &orig, &orig_end) < 0)
        return NULL;
    first = orig_end < 0 ? orig + (start - seg_start) : orig;
    Py_ssize_t j = bisect_right(starts, end - 1);
    if (j < 0)
        return NULL;
    if (segment_at(starts, map, j - 1, &seg_start, &orig, &orig_end) < 0)
        return NULL;
    last = orig_end < 0 ? orig + (end - seg_start) : orig_end;
    return Py_BuildValue("(nn)", first, last);
}

/* ---- configure ----------------------------------------------------------------------------- */

static int field_int(PyObject *item, Py_ssize_t k, int lo, int hi, int *out, const char *what)
{
    long v = PyLong_AsLong(PyTuple_GET_ITEM(item, k));
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < lo || v > hi) {
        PyErr_Format(PyExc_ValueError, "configure: %s must be in [%d, %d], got %ld", what, lo, hi,
                     v);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static PyObject *spoken_configure(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "configure expects 2 arguments, got %zd", nargs);
        return NULL;
    }
    PyObject *cls = args[1];
    if (!PyType_Check(cls) || ((PyTypeObject *)cls)->tp_new == NULL) {
        PyErr_Format(PyExc_TypeError, "configure: normalised must be a class, got %R", cls);
        return NULL;
    }
    PyObject *items = PySequence_Tuple(args[0]);
    if (items == NULL)
        return NULL;
    Py_ssize_t n = PyTuple_GET_SIZE(items);
    if (n > MAX_WORDS) {
        PyErr_Format(PyExc_ValueError, "configure: at most %d words, got %zd", MAX_WORDS, n);
        Py_DECREF(items);
        return NULL;
    }
    Word fresh[MAX_WORDS];
    memset(fresh, 0, sizeof(fresh));
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *item = PyTuple_GET_ITEM(items, k);
        if (!PyTuple_Check(item) || PyTuple_GET_SIZE(item) != 7) {
            PyErr_SetString(PyExc_TypeError,
                            "configure: each word must be a tuple (word, unit, teen, tens, "
                            "repeat, scale, weak)");
            goto fail;
        }
        Word *w = &fresh[k];
        Py_ssize_t len;
        const char *s = PyUnicode_Check(PyTuple_GET_ITEM(item, 0))
                            ? PyUnicode_AsUTF8AndSize(PyTuple_GET_ITEM(item, 0), &len)
                            : NULL;
        if (s == NULL) {
            if (!PyErr_Occurred())
                PyErr_SetString(PyExc_TypeError, "configure: word must be a str");
            goto fail;
        }
        if (len < 1 || len > MAX_WORD) {
            PyErr_Format(PyExc_ValueError, "configure: word %R must have 1 to %d letters",
                         PyTuple_GET_ITEM(item, 0), MAX_WORD);
            goto fail;
        }
        for (Py_ssize_t c = 0; c < len; c++) {
            if (s[c] < 'a' || s[c] > 'z') {
                PyErr_Format(PyExc_ValueError, "configure: word %R must be lowercase a-z",
                             PyTuple_GET_ITEM(item, 0));
                goto fail;
            }
        }
        memcpy(w->text, s, (size_t)len);
        w->len = (int)len;
        if (field_int(item, 1, -1, 9, &w->unit, "unit") < 0 ||
            field_int(item, 2, -1, 99, &w->teen, "teen") < 0 ||
            field_int(item, 3, -1, 9, &w->tens, "tens") < 0 ||
            field_int(item, 4, 0, 8, &w->repeat, "repeat") < 0 ||
            field_int(item, 5, 0, 8, &w->scale, "scale") < 0)
            goto fail;
        if (w->scale == 1) {
            PyErr_SetString(PyExc_ValueError, "configure: scale must be 0 or in [2, 8], got 1");
            goto fail;
        }
        int weak = PyObject_IsTrue(PyTuple_GET_ITEM(item, 6));
        if (weak < 0)
            goto fail;
        w->weak = weak;
    }
    memcpy(WORDS, fresh, sizeof(fresh));
    NWORDS = (int)n;
    Py_XSETREF(NORMALISED, Py_NewRef(cls));
    CONFIGURED = 1;
    Py_DECREF(items);
    Py_RETURN_NONE;
fail:
    Py_DECREF(items);
    return NULL;
}

static PyMethodDef METHODS[] = {
    {"configure", (PyCFunction)(void (*)(void))spoken_configure, METH_FASTCALL,
     "configure(words, normalised): the number words, tuples (word, unit, teen, tens, repeat,\n"
     "scale, weak), and the Normalised class to return."},
    {"normalise", (PyCFunction)(void (*)(void))spoken_normalise, METH_FASTCALL,
     "normalise(text, checked) -> Normalised; ASCII str only."},
    {"to_original", (PyCFunction)(void (*)(void))spoken_to_original, METH_FASTCALL,
     "to_original(seg_starts, seg_map, start, end) -> (start, end) on the original text."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {
    PyModuleDef_HEAD_INIT,
    .m_name = "privacy._spoken",
    .m_doc = "Spoken-number normalisation for ASCII texts (privacy.spoken).",
    .m_size = -1,
    .m_methods = METHODS,
};

PyMODINIT_FUNC PyInit__spoken(void)
{
    if (EMPTY_TUPLE == NULL) {
        EMPTY_TUPLE = PyTuple_New(0);
        NAME_TEXT = PyUnicode_InternFromString("text");
        NAME_SEG_STARTS = PyUnicode_InternFromString("seg_starts");
        NAME_SEG_MAP = PyUnicode_InternFromString("seg_map");
        if (EMPTY_TUPLE == NULL || NAME_TEXT == NULL || NAME_SEG_STARTS == NULL ||
            NAME_SEG_MAP == NULL) {
            Py_CLEAR(EMPTY_TUPLE);
            Py_CLEAR(NAME_TEXT);
            Py_CLEAR(NAME_SEG_STARTS);
            Py_CLEAR(NAME_SEG_MAP);
            return NULL;
        }
    }
    return PyModule_Create(&MODULE);
}
