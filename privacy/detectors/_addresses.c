/* C twin of privacy.detectors.addresses._detect_addresses_py for ASCII texts.
 *
 * The Python function is the reference: for every ASCII str this returns exactly the list it
 * returns (same Spans, same order, same confidences). Each regex of the Python module is a
 * hand-written scanner over the ASCII bytes (character offsets == byte offsets) that takes the
 * same path the regex engine takes, backtracking included (each scanner says why its pieces
 * are deterministic). ASCII semantics of Python's regex classes:
 *   letter [^\W\d_] = [A-Za-z], \w = [A-Za-z0-9_], \s = [ \t\n\r\f\v\x1c-\x1f],
 *   [^\W_] = [A-Za-z0-9]; `$` also matches just before a final "\n".
 *
 * detect_addresses(text, lowered=None, *, words=None, digit_runs=None) -> list[Span] is the
 * entry point (addresses.detect_addresses calls it, after configure(addresses._tables,
 * addresses._detect_addresses_py)): it runs detect_ascii and hands the call, unchanged, to the
 * reference when that answers None or the call has another shape.
 *
 * detect_ascii(text, lowered, words, digit_runs, tables) -> list[Span] | None
 *   text       str (None is returned, meaning "use the Python reference", unless it is ASCII)
 *   lowered    None, or text.lower() (anything else: None is returned)
 *   words      None (the letter runs of the lowered text are used), or the caller's word set
 *   digit_runs None (counted here), or an int
 *   tables     (common, streets, places, stop_words, directions, unit_words, named_words,
 *               unit_gate, cue_first_words, Span), built once by addresses._tables()
 * The word lists stay Python frozensets; their ASCII words are copied once into a C hash table
 * (word -> bit mask of the sets holding it) that points into the strs of the tables tuple it
 * keeps alive. The caller's `words` are looked up there too when they are lowercase ASCII strs
 * of a set, else with the sets' own isdisjoint / PySet_Contains.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#if PY_VERSION_HEX < 0x030C0000
#define STR_READY(s) PyUnicode_READY(s)
#else
#define STR_READY(s) 0 /* always ready since 3.12 */
#endif

/* ---------------------------------------------------------------- character classes (ASCII) */

static inline int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static inline int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static inline int is_letter(unsigned char c) { return is_upper(c) || is_lower(c); }
static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline int is_alnum(unsigned char c) { return is_letter(c) || is_digit(c); }
static inline int is_word(unsigned char c) { return is_alnum(c) || c == '_'; }
static inline int is_re_space(unsigned char c)
{
    return c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f);
}
static inline unsigned char low_c(unsigned char c) { return is_upper(c) ? (unsigned char)(c + 32) : c; }

/* ---------------------------------------------------------------- constants mirrored from Python */

/* _UNITS, in the regex's alternation order (the tests compare them with the Python string) */
static const char *const UNITS[] = {
    "apt", "apartment", "suite", "ste", "unit", "flat", "floor", "fl", "room", "rm", "bldg",
    "building", "po box", "p.o. box", "box",
};
#define N_UNITS ((Py_ssize_t)(sizeof(UNITS) / sizeof(UNITS[0])))

/* the ASCII entries of _COMPOUND_SUFFIXES (the non-ASCII ones never match an ASCII text) */
static const char *const COMPOUND[] = {
    "straat", "strasse", "str.", "gasse", "weg", "laan", "gatan", "vej", "vei", "veien", "katu",
    "kuja", "gade", "gata", "allee", "platz", "plein", "dreef", "kade", "gracht", "ring", "ulica",
    "utca",
};
#define N_COMPOUND ((Py_ssize_t)(sizeof(COMPOUND) / sizeof(COMPOUND[0])))

/* NAMED_STREET_SUFFIXES, in the regex's alternation order */
static const char *const NAMED[] = {
    "Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Ln", "Drive", "Boulevard", "Blvd",
    "Court", "Place", "Way", "Terrace", "Square", "Highway", "Parkway", "Crescent", "Close",
};
#define N_NAMED ((Py_ssize_t)(sizeof(NAMED) / sizeof(NAMED[0])))

#define MAX_TOKENS 18
#define CUE_WINDOW 40
#define LEFT_WINDOW 40

/* ---------------------------------------------------------------- tables and helpers */

enum {
    T_COMMON,
    T_STREETS,
    T_PLACES,
    T_STOP,
    T_DIRECTIONS,
    T_UNIT_WORDS,
    T_NAMED_WORDS,
    T_UNIT_GATE,
    T_CUE_FIRST,
    T_SPAN,
    N_TABLES
};

typedef struct {
    PyObject *set[T_SPAN];
    PyTypeObject *span;
} Tables;

static PyObject *S_KIND;     /* "ADDRESS" */
static PyObject *S_DETECTOR; /* "address" */
static PyObject *S_IS;       /* "is" */
static PyObject *S_WORDS;    /* "words" */
static PyObject *S_DIGIT_RUNS; /* "digit_runs" */

/* The word sets, copied once into one C hash table: each ASCII word -> a bit mask of the sets
 * holding it (bit k: tables[k]). The tables tuple is kept alive while the table points into its
 * strs; another tuple rebuilds the table. Non-ASCII words never equal an ASCII key: skipped. */
typedef struct {
    const char *word;
    Py_ssize_t len;
    uint64_t hash;
    unsigned mask;
} Entry;

static PyObject *tab_src;  /* the tables tuple the table was built from */
static Entry *tab;
static size_t tab_mask;    /* slots - 1 */
static Py_ssize_t tab_max; /* the longest word */

/* FNV-1a of the lowercased bytes */
static inline uint64_t fnv_lower(const char *s, Py_ssize_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (Py_ssize_t i = 0; i < len; i++)
        h = (h ^ low_c((unsigned char)s[i])) * 1099511628211ULL;
    return h;
}

static inline int eq_lower(const char *word, const char *s, Py_ssize_t len)
{
    for (Py_ssize_t i = 0; i < len; i++)
        if (word[i] != (char)low_c((unsigned char)s[i]))
            return 0;
    return 1;
}

/* the slot of lower(s[0:len]): its entry, or the empty slot where it would go */
static Entry *tab_slot(const char *s, Py_ssize_t len, uint64_t h)
{
    size_t i = (size_t)h & tab_mask;
    while (tab[i].word != NULL && !(tab[i].hash == h && tab[i].len == len && eq_lower(tab[i].word, s, len)))
        i = (i + 1) & tab_mask;
    return &tab[i];
}

static int build_table(PyObject *tables)
{
    Py_ssize_t total = 0;
    for (int k = 0; k < T_SPAN; k++)
        total += PySet_GET_SIZE(PyTuple_GET_ITEM(tables, k));
    size_t slots = 64;
    while (slots < (size_t)total * 2 + 1)
        slots *= 2;
    Entry *t = PyMem_Calloc(slots, sizeof(Entry));
    if (t == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Entry *old = tab;
    PyObject *old_src = tab_src;
    size_t old_mask = tab_mask;
    Py_ssize_t old_max = tab_max;
    tab = t;
    tab_mask = slots - 1;
    tab_max = 0;
    for (int k = 0; k < T_SPAN; k++) {
        PyObject *it = PyObject_GetIter(PyTuple_GET_ITEM(tables, k));
        if (it == NULL)
            goto error;
        PyObject *w;
        while ((w = PyIter_Next(it)) != NULL) {
            /* the str stays alive in its frozenset, held by the tables tuple */
            if (PyUnicode_Check(w) && STR_READY(w) == 0 && PyUnicode_IS_ASCII(w)) {
                const char *d = (const char *)PyUnicode_1BYTE_DATA(w);
                Py_ssize_t len = PyUnicode_GET_LENGTH(w);
                uint64_t h = fnv_lower(d, len);
                int upper = 0;
                for (Py_ssize_t i = 0; i < len; i++)
                    upper |= is_upper((unsigned char)d[i]);
                if (upper) { /* never equal to a lowercased key */
                    Py_DECREF(w);
                    continue;
                }
                Entry *e = tab_slot(d, len, h);
                if (e->word == NULL) {
                    e->word = d;
                    e->len = len;
                    e->hash = h;
                }
                e->mask |= 1u << k;
                if (len > tab_max)
                    tab_max = len;
            }
            Py_DECREF(w);
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            goto error;
    }
    Py_INCREF(tables);
    tab_src = tables;
    Py_XDECREF(old_src);
    PyMem_Free(old);
    return 0;
error:
    PyMem_Free(tab);
    tab = old; /* the previous table (if any) stays in use */
    tab_src = old_src;
    tab_mask = old_mask;
    tab_max = old_max;
    return -1;
}

/* the mask of lower(s[0:len]), trailing dots dropped when strip_dots */
static unsigned lookup(const char *s, Py_ssize_t len, int strip_dots)
{
    if (strip_dots)
        while (len > 0 && s[len - 1] == '.')
            len--;
    if (len > tab_max)
        return 0; /* longer than every ASCII word of the sets */
    Entry *e = tab_slot(s, len, fnv_lower(s, len));
    return e->word == NULL ? 0 : e->mask;
}

/* 1 / 0 whether lower(s[0:len]) (trailing dots dropped when strip_dots) is in set `which` */
static int contains(int which, const char *s, Py_ssize_t len, int strip_dots)
{
    return (lookup(s, len, strip_dots) >> which) & 1u;
}

static inline int has_lit(const char *s, Py_ssize_t n, Py_ssize_t i, const char *lit, Py_ssize_t len)
{
    return i >= 0 && i <= n - len && memcmp(s + i, lit, (size_t)len) == 0;
}
#define LIT(s, n, i, lit) has_lit((s), (n), (i), (lit), (Py_ssize_t)(sizeof(lit) - 1))

/* \b just after a letter at i - 1 */
static inline int wb_after(const char *s, Py_ssize_t n, Py_ssize_t i) { return i >= n || !is_word((unsigned char)s[i]); }
/* \b just before a letter at i */
static inline int wb_before(const char *s, Py_ssize_t i) { return i == 0 || !is_word((unsigned char)s[i - 1]); }

static inline Py_ssize_t skip_spaces(const char *s, Py_ssize_t n, Py_ssize_t i)
{
    while (i < n && s[i] == ' ')
        i++;
    return i;
}
static inline Py_ssize_t skip_re_space(const char *s, Py_ssize_t n, Py_ssize_t i)
{
    while (i < n && is_re_space((unsigned char)s[i]))
        i++;
    return i;
}

/* ---------------------------------------------------------------- anchors */

typedef struct {
    Py_ssize_t start, end;
    double conf;
} Anchor;

typedef struct {
    Anchor *a;
    Py_ssize_t n, cap;
    Anchor local[16];
} Anchors;

static int add_anchor(Anchors *A, Py_ssize_t start, Py_ssize_t end, double conf)
{
    if (A->n == A->cap) {
        Py_ssize_t cap = A->cap * 2;
        Anchor *b;
        if (A->a == A->local) {
            b = PyMem_Malloc((size_t)cap * sizeof(Anchor));
            if (b != NULL)
                memcpy(b, A->local, (size_t)A->n * sizeof(Anchor));
        } else {
            b = PyMem_Realloc(A->a, (size_t)cap * sizeof(Anchor));
        }
        if (b == NULL) {
            PyErr_NoMemory();
            return -1;
        }
        A->a = b;
        A->cap = cap;
    }
    A->a[A->n].start = start;
    A->a[A->n].end = end;
    A->a[A->n].conf = conf;
    A->n++;
    return 0;
}

static int cmp_anchor(const void *x, const void *y)
{
    const Anchor *a = x, *b = y;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->end != b->end)
        return a->end < b->end ? -1 : 1;
    if (a->conf != b->conf)
        return a->conf < b->conf ? -1 : 1;
    return 0;
}

/* ---------------------------------------------------------------- _street_number_pattern (on low)
 * \d(?<!\w\d)\d{0,4}[a-z]?((?:[ ]+[^\W\d_][\w'’.\-]*){0,4}?)[ ]+(?:{street words})\b\.?
 * The digits must be a whole run of 1..5 (what follows is [a-z] or a space), [a-z]? is taken
 * only when a space follows it, every [ ]+ takes all spaces (a letter or a street word follows),
 * every group word runs to its last [\w'.-] (a space follows). So the lazy group is tried with
 * 0, 1, .. 4 words, and the street word after k words is the \w run there (the alternation
 * ends with \b; street words are letters). Returns the match end, or -1; group 1 is [g1s, g1e). */
static Py_ssize_t street_number_at(const char *low, Py_ssize_t n, Py_ssize_t i,
                                   Py_ssize_t *g1s, Py_ssize_t *g1e, int *err)
{
    Py_ssize_t j = i;
    while (j < n && is_digit((unsigned char)low[j]) && j - i < 5)
        j++;
    if (j >= n)
        return -1;
    unsigned char c = (unsigned char)low[j];
    Py_ssize_t pos;
    if (c == ' ')
        pos = j;
    else if (is_lower(c) && j + 1 < n && low[j + 1] == ' ')
        pos = j + 1;
    else
        return -1;
    *g1s = pos;
    for (int k = 0;; k++) {
        if (pos >= n || low[pos] != ' ')
            return -1; /* neither the street word nor another group word can follow */
        Py_ssize_t q = skip_spaces(low, n, pos);
        Py_ssize_t r = q;
        while (r < n && is_word((unsigned char)low[r]))
            r++;
        if (r > q) {
            int in = contains(T_STREETS, low + q, r - q, 0);
            if (in < 0) {
                *err = 1;
                return -1;
            }
            if (in) {
                *g1e = pos;
                return (r < n && low[r] == '.') ? r + 1 : r;
            }
        }
        if (k == 4 || q >= n || !is_letter((unsigned char)low[q]))
            return -1;
        r = q + 1;
        while (r < n && (is_word((unsigned char)low[r]) || low[r] == '\'' || low[r] == '.' || low[r] == '-'))
            r++;
        pos = r;
    }
}

static int street_anchors(const char *text, const char *low, Py_ssize_t n, Tables *T, Anchors *A)
{
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_digit((unsigned char)low[i]) || (i > 0 && is_word((unsigned char)low[i - 1]))) {
            i++;
            continue;
        }
        Py_ssize_t g1s = 0, g1e = 0;
        int err = 0;
        Py_ssize_t end = street_number_at(low, n, i, &g1s, &g1e, &err);
        if (err)
            return -1;
        if (end < 0) {
            i++;
            continue;
        }
        /* middle words: capitalised, or not common, or a direction */
        int ok = 1;
        Py_ssize_t p = g1s;
        while (ok && p < g1e) {
            if (text[p] == ' ') {
                p++;
                continue;
            }
            Py_ssize_t w = p;
            while (p < g1e && text[p] != ' ')
                p++;
            if (is_upper((unsigned char)text[w]))
                continue;
            /* kept: not common, or a direction */
            unsigned m = lookup(text + w, p - w, 1);
            if ((m & (1u << T_COMMON)) && !(m & (1u << T_DIRECTIONS)))
                ok = 0;
        }
        if (ok && add_anchor(A, i, end, 0.85) < 0)
            return -1;
        i = end;
    }
    return 0;
}

/* ---------------------------------------------------------------- _NUM_WORDS_NUM (on text)
 * \d(?<!\w\d)\d{0,4}((?:[ ]+[^\W\d_][\w'’\-]*\.?){1,3})[ ]+\d{1,5}[A-Za-z]?\b
 * A whole run of 1..5 digits then a space; the greedy group takes every word it can (up to 3):
 * giving one back leaves a letter where the final digit must be, and a shorter word leaves a
 * [\w'-] where a space must be, so backtracking never helps. Final: a whole run of 1..5 digits,
 * one optional letter, then no \w. */
static int num_words_num_anchors(const char *text, Py_ssize_t n, Tables *T, Anchors *A)
{
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_digit((unsigned char)text[i]) || (i > 0 && is_word((unsigned char)text[i - 1]))) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        while (j < n && is_digit((unsigned char)text[j]) && j - i < 5)
            j++;
        Py_ssize_t end = -1, pos = j;
        Py_ssize_t ws[3], we[3];
        int k = 0;
        if (j < n && text[j] == ' ') {
            while (k < 3 && pos < n && text[pos] == ' ') {
                Py_ssize_t q = skip_spaces(text, n, pos);
                if (q >= n || !is_letter((unsigned char)text[q]))
                    break;
                Py_ssize_t r = q + 1;
                while (r < n && (is_word((unsigned char)text[r]) || text[r] == '\'' || text[r] == '-'))
                    r++;
                if (r < n && text[r] == '.')
                    r++;
                ws[k] = q;
                we[k] = r;
                k++;
                pos = r;
            }
            if (k > 0 && pos < n && text[pos] == ' ') {
                Py_ssize_t q = skip_spaces(text, n, pos);
                Py_ssize_t d = q;
                while (d < n && is_digit((unsigned char)text[d]))
                    d++;
                if (d - q >= 1 && d - q <= 5) {
                    if (d < n && is_letter((unsigned char)text[d])) {
                        if (d + 1 >= n || !is_word((unsigned char)text[d + 1]))
                            end = d + 1;
                    } else if (d >= n || !is_word((unsigned char)text[d])) {
                        end = d;
                    }
                }
            }
        }
        if (end < 0) {
            i++;
            continue;
        }
        int ok = 1;
        for (int w = 0; w < k && ok; w++) {
            int in = contains(T_COMMON, text + ws[w], we[w] - ws[w], 1);
            if (in < 0)
                return -1;
            if (in)
                ok = 0;
        }
        if (ok && add_anchor(A, i, end, 0.6) < 0)
            return -1;
        i = end;
    }
    return 0;
}

/* ---------------------------------------------------------------- compound streets (on low)
 * _COMPOUND_HINT: (?:suffix without the dot)\.?[ ]+\d anywhere: the run of spaces before a digit,
 * preceded by an optional dot, preceded by a suffix. */
static int ends_with(const char *s, Py_ssize_t from, Py_ssize_t at, const char *suf)
{
    Py_ssize_t len = (Py_ssize_t)strlen(suf);
    return at - from >= len && memcmp(s + at - len, suf, (size_t)len) == 0;
}

static int compound_hint(const char *low, Py_ssize_t n)
{
    for (Py_ssize_t d = 1; d < n; d++) {
        if (!is_digit((unsigned char)low[d]) || low[d - 1] != ' ')
            continue;
        Py_ssize_t e = d - 1;
        while (e > 0 && low[e - 1] == ' ')
            e--;
        if (e > 0 && low[e - 1] == '.')
            e--;
        for (Py_ssize_t k = 0; k < N_COMPOUND; k++) {
            const char *suf = COMPOUND[k];
            Py_ssize_t len = (Py_ssize_t)strlen(suf);
            if (suf[len - 1] == '.')
                len--; /* the hint uses the suffixes without their dot */
            if (e >= len && memcmp(low + e - len, suf, (size_t)len) == 0)
                return 1;
        }
    }
    return 0;
}

/* _WORD_NUMBER: (?<![^\W\d_])([^\W\d_]+\.?)[ ]+\d{1,5}[a-z]?\b, kept when group 1 ends with a
 * suffix. The letters are a whole run, the dot is taken when a space follows it. */
static int compound_anchors(const char *low, Py_ssize_t n, Anchors *A)
{
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_letter((unsigned char)low[i]) || (i > 0 && is_letter((unsigned char)low[i - 1]))) {
            i++;
            continue;
        }
        Py_ssize_t r = i;
        while (r < n && is_letter((unsigned char)low[r]))
            r++;
        Py_ssize_t g1e = -1;
        if (r < n && low[r] == '.') {
            if (r + 1 < n && low[r + 1] == ' ')
                g1e = r + 1;
        } else if (r < n && low[r] == ' ') {
            g1e = r;
        }
        Py_ssize_t end = -1;
        if (g1e >= 0) {
            Py_ssize_t q = skip_spaces(low, n, g1e);
            Py_ssize_t d = q;
            while (d < n && is_digit((unsigned char)low[d]))
                d++;
            if (d - q >= 1 && d - q <= 5) {
                if (d < n && is_lower((unsigned char)low[d])) {
                    if (d + 1 >= n || !is_word((unsigned char)low[d + 1]))
                        end = d + 1;
                } else if (d >= n || !is_word((unsigned char)low[d])) {
                    end = d;
                }
            }
        }
        if (end < 0) {
            i++;
            continue;
        }
        for (Py_ssize_t k = 0; k < N_COMPOUND; k++) {
            if (ends_with(low, i, g1e, COMPOUND[k])) {
                if (add_anchor(A, i, end, 0.85) < 0)
                    return -1;
                break;
            }
        }
        i = end;
    }
    return 0;
}

/* ---------------------------------------------------------------- _UNIT (on low)
 * \b(?:units)\.?\s*#?\s*\d+[a-z]?\b: after the unit word an optional dot, spaces, an optional
 * '#', spaces, a whole run of digits, an optional letter, then no \w. */
static Py_ssize_t unit_rest(const char *low, Py_ssize_t n, Py_ssize_t q)
{
    if (q < n && low[q] == '.')
        q++;
    q = skip_re_space(low, n, q);
    if (q < n && low[q] == '#')
        q++;
    q = skip_re_space(low, n, q);
    Py_ssize_t d = q;
    while (d < n && is_digit((unsigned char)low[d]))
        d++;
    if (d == q)
        return -1;
    if (d < n && is_lower((unsigned char)low[d]))
        return (d + 1 >= n || !is_word((unsigned char)low[d + 1])) ? d + 1 : -1;
    if (d < n && is_word((unsigned char)low[d]))
        return -1;
    return d;
}

static int unit_anchors(const char *low, Py_ssize_t n, Anchors *A)
{
    Py_ssize_t p = 0;
    while (p < n) {
        Py_ssize_t end = -1;
        if (is_letter((unsigned char)low[p]) && wb_before(low, p)) {
            for (Py_ssize_t k = 0; k < N_UNITS && end < 0; k++) {
                Py_ssize_t len = (Py_ssize_t)strlen(UNITS[k]);
                if (has_lit(low, n, p, UNITS[k], len))
                    end = unit_rest(low, n, p + len);
            }
        }
        if (end < 0) {
            p++;
            continue;
        }
        if (add_anchor(A, p, end, 0.8) < 0)
            return -1;
        p = end;
    }
    return 0;
}

/* ---------------------------------------------------------------- _CUE (on low) */

/* \s+(?:w0|w1|w2)\b at i (words: NULL-terminated); with_it: \s+(?:it\s+)?to\b. */
static Py_ssize_t cue_tail(const char *s, Py_ssize_t n, Py_ssize_t i, const char *const *words)
{
    if (i >= n || !is_re_space((unsigned char)s[i]))
        return -1;
    Py_ssize_t j = skip_re_space(s, n, i);
    for (; *words != NULL; words++) {
        Py_ssize_t len = (Py_ssize_t)strlen(*words);
        if (has_lit(s, n, j, *words, len) && wb_after(s, n, j + len))
            return j + len;
    }
    return -1;
}

static const char *const W_AT_IN_ON[] = {"at", "in", "on", NULL};
static const char *const W_AT_ON[] = {"at", "on", NULL};
static const char *const W_AT[] = {"at", NULL};
static const char *const W_TO[] = {"to", NULL};

static Py_ssize_t cue_tail_it(const char *s, Py_ssize_t n, Py_ssize_t i)
{
    if (i >= n || !is_re_space((unsigned char)s[i]))
        return -1;
    Py_ssize_t j = skip_re_space(s, n, i);
    if (LIT(s, n, j, "it") && j + 2 < n && is_re_space((unsigned char)s[j + 2])) {
        Py_ssize_t k = skip_re_space(s, n, j + 2);
        if (LIT(s, n, k, "to") && wb_after(s, n, k + 2))
            return k + 2;
    }
    if (LIT(s, n, j, "to") && wb_after(s, n, j + 2))
        return j + 2;
    return -1;
}

/* the end of a _CUE match at p (\b before p already holds), or -1 */
static Py_ssize_t cue_at(const char *s, Py_ssize_t n, Py_ssize_t p)
{
    Py_ssize_t q, r;
    switch (s[p]) {
    case 'a': /* address(?:es)? */
        if (LIT(s, n, p, "address")) {
            q = p + 7;
            if (LIT(s, n, q, "es") && wb_after(s, n, q + 2))
                return q + 2;
            if (wb_after(s, n, q))
                return q;
        }
        return -1;
    case 'l':
        if (LIT(s, n, p, "live")) { /* live[sd]?\s+(?:at|in|on) */
            q = p + 4;
            if (q < n && (s[q] == 's' || s[q] == 'd') && (r = cue_tail(s, n, q + 1, W_AT_IN_ON)) >= 0)
                return r;
            if ((r = cue_tail(s, n, q, W_AT_IN_ON)) >= 0)
                return r;
        }
        if (LIT(s, n, p, "living") && (r = cue_tail(s, n, p + 6, W_AT_ON)) >= 0)
            return r;
        if (LIT(s, n, p, "located") && (r = cue_tail(s, n, p + 7, W_AT)) >= 0)
            return r;
        return -1;
    case 'm': /* moved?\s+to */
        if (LIT(s, n, p, "move")) {
            q = p + 4;
            if (q < n && s[q] == 'd' && (r = cue_tail(s, n, q + 1, W_TO)) >= 0)
                return r;
            return cue_tail(s, n, q, W_TO);
        }
        return -1;
    case 'r':
        if (LIT(s, n, p, "return")) { /* return(?:ed)?\s+to */
            q = p + 6;
            if (LIT(s, n, q, "ed") && (r = cue_tail(s, n, q + 2, W_TO)) >= 0)
                return r;
            if ((r = cue_tail(s, n, q, W_TO)) >= 0)
                return r;
        }
        if (LIT(s, n, p, "reside")) { /* reside[sd]?\s+at */
            q = p + 6;
            if (q < n && (s[q] == 's' || s[q] == 'd') && (r = cue_tail(s, n, q + 1, W_AT)) >= 0)
                return r;
            return cue_tail(s, n, q, W_AT);
        }
        return -1;
    case 's':
        if (LIT(s, n, p, "ship")) { /* ship(?:ped)?\s+(?:it\s+)?to */
            q = p + 4;
            if (LIT(s, n, q, "ped") && (r = cue_tail_it(s, n, q + 3)) >= 0)
                return r;
            if ((r = cue_tail_it(s, n, q)) >= 0)
                return r;
        }
        if (LIT(s, n, p, "send")) /* send\s+(?:it\s+)?to */
            return cue_tail_it(s, n, p + 4);
        return -1;
    case 'd': /* deliver(?:ed)?\s+(?:it\s+)?to */
        if (LIT(s, n, p, "deliver")) {
            q = p + 7;
            if (LIT(s, n, q, "ed") && (r = cue_tail_it(s, n, q + 2)) >= 0)
                return r;
            return cue_tail_it(s, n, q);
        }
        return -1;
    case 'i': /* is\s+(?:at|on) */
        if (LIT(s, n, p, "is"))
            return cue_tail(s, n, p + 2, W_AT_ON);
        return -1;
    case 'z': /* zip(?:\s*code)? */
        if (LIT(s, n, p, "zip")) {
            q = skip_re_space(s, n, p + 3);
            if (LIT(s, n, q, "code") && wb_after(s, n, q + 4))
                return q + 4;
            if (wb_after(s, n, p + 3))
                return p + 3;
        }
        return -1;
    case 'p': /* post(?:al)?\s*code */
        if (LIT(s, n, p, "post")) {
            q = p + 4;
            if (LIT(s, n, q, "al")) {
                r = skip_re_space(s, n, q + 2);
                if (LIT(s, n, r, "code") && wb_after(s, n, r + 4))
                    return r + 4;
            }
            r = skip_re_space(s, n, q);
            if (LIT(s, n, r, "code") && wb_after(s, n, r + 4))
                return r + 4;
        }
        return -1;
    default:
        return -1;
    }
}

/* _IS_AT.search(low) is not None: \bis\s+(?:at|on)\b */
static int is_at_search(const char *low, Py_ssize_t n)
{
    for (Py_ssize_t p = 0; p + 1 < n; p++)
        if (low[p] == 'i' && low[p + 1] == 's' && wb_before(low, p) && cue_tail(low, n, p + 2, W_AT_ON) >= 0)
            return 1;
    return 0;
}

/* _TOKEN's letter alternative at i (s[i] a letter), within [.., lim):
 * [^\W\d_]+(?:['’.\-][^\W\d_]+)*\.?  -> the token end */
static Py_ssize_t letter_token_end(const char *s, Py_ssize_t lim, Py_ssize_t i)
{
    Py_ssize_t r = i;
    while (r < lim && is_letter((unsigned char)s[r]))
        r++;
    while (r + 1 < lim && (s[r] == '\'' || s[r] == '.' || s[r] == '-') && is_letter((unsigned char)s[r + 1])) {
        r++;
        while (r < lim && is_letter((unsigned char)s[r]))
            r++;
    }
    if (r < lim && s[r] == '.')
        r++;
    return r;
}

static int cue_anchors(const char *text, const char *low, Py_ssize_t n, Tables *T, Anchors *A)
{
    Py_ssize_t p = 0;
    while (p < n) {
        Py_ssize_t ce = -1;
        if (is_letter((unsigned char)low[p]) && wb_before(low, p))
            ce = cue_at(low, n, p);
        if (ce < 0) {
            p++;
            continue;
        }
        p = ce;
        /* _NUMBER.search(text, ce, min(len(text), ce + 40)): \d{1,6}[A-Za-z]? */
        Py_ssize_t lim = ce + CUE_WINDOW < n ? ce + CUE_WINDOW : n;
        Py_ssize_t j = ce;
        while (j < lim && !is_digit((unsigned char)text[j]))
            j++;
        if (j >= lim)
            continue;
        Py_ssize_t e = j;
        while (e < lim && is_digit((unsigned char)text[e]) && e - j < 6)
            e++;
        if (e < lim && is_letter((unsigned char)text[e]))
            e++;
        if (e < n && text[e] == ':')
            continue; /* a clock time */
        /* at most 3 common words between the cue and the number */
        int common = 0;
        Py_ssize_t i = ce;
        while (i < j) {
            if (!is_letter((unsigned char)text[i])) {
                i++;
                continue;
            }
            Py_ssize_t r = letter_token_end(text, j, i);
            int in = contains(T_COMMON, text + i, r - i, 0);
            if (in < 0)
                return -1;
            common += in;
            i = r;
        }
        if (common > 3)
            continue;
        if (add_anchor(A, j, e, 0.7) < 0)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- _NAMED_STREET (on text)
 * \b(?:[A-Z][\w'’\-]*[ ]+){1,3}(?:suffixes)\b\.?
 * Each word is a capital, all of its [\w'-] run and all the spaces after it; the greedy {1,3}
 * takes k words, then gives them back one at a time until a suffix (the whole \w run there,
 * because the alternation ends with \b) follows. */
static Py_ssize_t named_suffix_len(const char *s, Py_ssize_t n, Py_ssize_t q)
{
    Py_ssize_t r = q;
    while (r < n && is_word((unsigned char)s[r]))
        r++;
    for (Py_ssize_t k = 0; k < N_NAMED; k++) {
        Py_ssize_t len = (Py_ssize_t)strlen(NAMED[k]);
        if (len == r - q && memcmp(s + q, NAMED[k], (size_t)len) == 0)
            return len;
    }
    return -1;
}

static int named_street_anchors(const char *text, Py_ssize_t n, Tables *T, Anchors *A)
{
    Py_ssize_t p = 0;
    while (p < n) {
        if (!is_upper((unsigned char)text[p]) || !wb_before(text, p)) {
            p++;
            continue;
        }
        Py_ssize_t qs[4], we[3];
        int k = 0;
        qs[0] = p;
        while (k < 3) {
            Py_ssize_t q = qs[k];
            if (q >= n || !is_upper((unsigned char)text[q]))
                break;
            Py_ssize_t r = q + 1;
            while (r < n && (is_word((unsigned char)text[r]) || text[r] == '\'' || text[r] == '-'))
                r++;
            if (r >= n || text[r] != ' ')
                break;
            we[k] = r;
            qs[++k] = skip_spaces(text, n, r);
        }
        Py_ssize_t end = -1;
        int kk;
        for (kk = k; kk >= 1; kk--) {
            Py_ssize_t len = named_suffix_len(text, n, qs[kk]);
            if (len >= 0) {
                end = qs[kk] + len;
                if (end < n && text[end] == '.')
                    end++;
                break;
            }
        }
        if (end < 0) {
            p++;
            continue;
        }
        int ok = 1;
        for (int w = 0; w < kk && ok; w++) {
            int in = contains(T_COMMON, text + qs[w], we[w] - qs[w], 0);
            if (in < 0)
                return -1;
            if (in)
                ok = 0;
        }
        if (ok && add_anchor(A, p, end, 0.6) < 0)
            return -1;
        p = end;
    }
    return 0;
}

/* ---------------------------------------------------------------- extending an anchor */

/* _extend_left: _LEFT_WORD = ([^\W_]+[.]?)([ \t]+|[ \t]*,[ \t]*)\Z searched in the 40
 * characters before start (so the match ends at start itself). */
static Py_ssize_t extend_left(const char *text, Py_ssize_t start, Tables *T)
{
    for (int it = 0; it < 4; it++) {
        Py_ssize_t lo = start - LEFT_WINDOW > 0 ? start - LEFT_WINDOW : 0;
        Py_ssize_t E = start;
        Py_ssize_t t = E;
        int commas = 0;
        while (t > lo && (text[t - 1] == ' ' || text[t - 1] == '\t' || text[t - 1] == ',')) {
            commas += text[t - 1] == ',';
            t--;
        }
        if (t == E || commas > 1)
            break;
        Py_ssize_t a_end = (t > lo && text[t - 1] == '.') ? t - 1 : t;
        Py_ssize_t a = a_end;
        while (a > lo && is_alnum((unsigned char)text[a - 1]))
            a--;
        if (a == a_end)
            break;
        unsigned char c = (unsigned char)text[a];
        int take = is_digit(c);
        if (!take && is_upper(c)) {
            int in = contains(T_COMMON, text + a, t - a, 1);
            if (in < 0)
                return -1;
            take = !in;
        }
        if (!take)
            break;
        start -= E - a;
    }
    return start;
}

/* _accept(tok), given the mask of tok.lower().rstrip(".") */
static int accept_token(const char *tok, Py_ssize_t len, unsigned m)
{
    if (is_digit((unsigned char)tok[0])) {
        Py_ssize_t r = len;
        while (r > 0 && is_letter((unsigned char)tok[r - 1]))
            r--;
        return r <= 6;
    }
    Py_ssize_t lwlen = len;
    while (lwlen > 0 && tok[lwlen - 1] == '.')
        lwlen--;
    if (m & ((1u << T_STREETS) | (1u << T_PLACES)))
        return 1;
    if (lwlen == 3 && low_c((unsigned char)tok[0]) == 'n' && low_c((unsigned char)tok[1]) == 'a' &&
        low_c((unsigned char)tok[2]) == 'n')
        return 1;
    /* _UK_POSTCODE.match(tok): ^[A-Z]{1,2}\d[A-Z\d]?$ ($ also before a final newline) */
    {
        Py_ssize_t u = 0;
        while (u < len && u < 2 && is_upper((unsigned char)tok[u]))
            u++;
        if (u >= 1 && u < len && is_digit((unsigned char)tok[u])) {
            Py_ssize_t rest = len - u - 1;
            unsigned char c1 = rest >= 1 ? (unsigned char)tok[u + 1] : 0;
            if (rest == 0 || (rest == 1 && (is_upper(c1) || is_digit(c1) || c1 == '\n')) ||
                (rest == 2 && (is_upper(c1) || is_digit(c1)) && tok[len - 1] == '\n'))
                return 1;
        }
    }
    int cased = 0, all_upper = 1;
    for (Py_ssize_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)tok[i];
        if (is_letter(c)) {
            cased = 1;
            if (is_lower(c))
                all_upper = 0;
        }
    }
    if (cased && all_upper && lwlen <= 3)
        return 1; /* state codes, initials */
    if (tok[len - 1] == '.' && lwlen <= 3)
        return 1; /* abbreviations */
    if (m & (1u << T_DIRECTIONS))
        return 1;
    if (is_upper((unsigned char)tok[0]))
        return !(m & (1u << T_STOP));
    return !(m & (1u << T_COMMON));
}

/* the next _TOKEN match at or after i: 1 with [*ts, *te), 0 when there is none */
static int next_token(const char *s, Py_ssize_t n, Py_ssize_t i, Py_ssize_t *ts, Py_ssize_t *te)
{
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_digit(c)) {
            /* \d{1,6}[A-Za-z]?\b, else \d+ */
            Py_ssize_t d = i;
            while (d < n && is_digit((unsigned char)s[d]))
                d++;
            *ts = i;
            if (d - i <= 6) {
                if (d < n && is_letter((unsigned char)s[d])) {
                    if (d + 1 >= n || !is_word((unsigned char)s[d + 1])) {
                        *te = d + 1;
                        return 1;
                    }
                } else if (d >= n || !is_word((unsigned char)s[d])) {
                    *te = d;
                    return 1;
                }
            }
            *te = d;
            return 1;
        }
        if (is_letter(c)) {
            *ts = i;
            *te = letter_token_end(s, n, i);
            return 1;
        }
    }
    return 0;
}

static int sep_ok(const char *s, Py_ssize_t a, Py_ssize_t b)
{
    if (b - a > 8)
        return 0;
    int newlines = 0;
    for (Py_ssize_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            newlines++;
        if (c == '.' || is_re_space(c) || c == ',' || c == '(' || c == ')' || c == '#' || c == '/' || c == '-')
            continue;
        return 0;
    }
    return newlines <= 2;
}

static Py_ssize_t extend_right(const char *text, Py_ssize_t n, Py_ssize_t pos, Tables *T)
{
    Py_ssize_t end = pos, i = pos, ts, te;
    int count = 0;
    while (next_token(text, n, i, &ts, &te)) {
        i = te;
        if (!sep_ok(text, end, ts))
            break;
        unsigned m = lookup(text + ts, te - ts, 1);
        int in = (m & (1u << T_UNIT_WORDS)) ? 2 /* taken, limit not checked */ : accept_token(text + ts, te - ts, m);
        if (in == 0)
            break;
        end = te;
        count++;
        if (in == 1 && count >= MAX_TOKENS)
            break;
    }
    return end;
}

/* ---------------------------------------------------------------- gates */

typedef struct {
    int named, streets, unit, cue_first, is;
} Gates;

static PyObject *S_ISDISJOINT; /* "isdisjoint" */

/* not set.isdisjoint(words): 1 / 0, -1 on error */
static int intersects(PyObject *set, PyObject *words)
{
    PyObject *args[2] = {set, words};
    PyObject *r = PyObject_VectorcallMethod(S_ISDISJOINT, args, 2, NULL);
    if (r == NULL)
        return -1;
    int disjoint = PyObject_IsTrue(r);
    Py_DECREF(r);
    return disjoint < 0 ? -1 : !disjoint;
}

/* letter runs of low, or the caller's words, against the gate sets */
static int word_gates(PyObject *words, const char *low, Py_ssize_t n, int need_numbered, Tables *T, Gates *g)
{
    if (words == Py_None) {
        Py_ssize_t i = 0;
        while (i < n) {
            if (!is_letter((unsigned char)low[i])) {
                i++;
                continue;
            }
            Py_ssize_t r = i;
            while (r < n && is_letter((unsigned char)low[r]))
                r++;
            unsigned m = lookup(low + i, r - i, 0);
            g->named |= (m >> T_NAMED_WORDS) & 1u;
            if (need_numbered) {
                g->streets |= (m >> T_STREETS) & 1u;
                g->unit |= (m >> T_UNIT_GATE) & 1u;
                g->cue_first |= (m >> T_CUE_FIRST) & 1u;
                if (r - i == 2 && low[i] == 'i' && low[i + 1] == 's')
                    g->is = 1;
            }
            i = r;
        }
        return 0;
    }
    /* the caller's words: not gate_set.isdisjoint(words), as the reference asks. A lowercase
     * ASCII str is looked up in the C table; anything else in the sets themselves. One gate
     * alone is one isdisjoint call (a small set, no walk of the big table). */
    if (!PyAnySet_CheckExact(words) || !need_numbered) {
        if ((g->named = intersects(T->set[T_NAMED_WORDS], words)) < 0)
            return -1;
        if (need_numbered) {
            if ((g->streets = intersects(T->set[T_STREETS], words)) < 0 ||
                (g->unit = intersects(T->set[T_UNIT_GATE], words)) < 0 ||
                (g->cue_first = intersects(T->set[T_CUE_FIRST], words)) < 0)
                return -1;
        }
    } else {
        const unsigned want = (1u << T_NAMED_WORDS) |
                              (need_numbered ? (1u << T_STREETS) | (1u << T_UNIT_GATE) | (1u << T_CUE_FIRST) : 0u);
        unsigned have = 0;
        PyObject *it = PyObject_GetIter(words);
        if (it == NULL)
            return -1;
        PyObject *w;
        while ((have & want) != want && (w = PyIter_Next(it)) != NULL) {
            int plain = PyUnicode_CheckExact(w) && STR_READY(w) == 0 && PyUnicode_IS_ASCII(w);
            if (plain) {
                const char *d = (const char *)PyUnicode_1BYTE_DATA(w);
                Py_ssize_t len = PyUnicode_GET_LENGTH(w);
                for (Py_ssize_t i = 0; i < len && plain; i++)
                    plain = !is_upper((unsigned char)d[i]);
                if (plain)
                    have |= lookup(d, len, 0);
            }
            for (int k = 0; !plain && k < T_SPAN; k++) {
                if (!((want >> k) & 1u) || ((have >> k) & 1u))
                    continue;
                int in = PySet_Contains(T->set[k], w);
                if (in < 0) {
                    Py_DECREF(w);
                    Py_DECREF(it);
                    return -1;
                }
                have |= (unsigned)in << k;
            }
            Py_DECREF(w);
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            return -1;
        have &= want;
        g->named = (have >> T_NAMED_WORDS) & 1u;
        g->streets = (have >> T_STREETS) & 1u;
        g->unit = (have >> T_UNIT_GATE) & 1u;
        g->cue_first = (have >> T_CUE_FIRST) & 1u;
    }
    if (need_numbered && !g->cue_first) {
        int rc = PySequence_Contains(words, S_IS);
        if (rc < 0)
            return -1;
        g->is = rc;
    }
    return 0;
}

/* ---------------------------------------------------------------- the entry point */

static PyObject *new_span(PyTypeObject *type, Py_ssize_t start, Py_ssize_t end, double conf)
{
    /* tuple.__new__(Span, (start, end, "ADDRESS", "address", conf)), as NamedTuple's _make */
    PyObject *a = PyLong_FromSsize_t(start);
    PyObject *b = PyLong_FromSsize_t(end);
    PyObject *c = PyFloat_FromDouble(conf);
    PyObject *o = (a && b && c) ? type->tp_alloc(type, 5) : NULL;
    if (o == NULL) {
        Py_XDECREF(a);
        Py_XDECREF(b);
        Py_XDECREF(c);
        return NULL;
    }
    Py_INCREF(S_KIND);
    Py_INCREF(S_DETECTOR);
    PyTuple_SET_ITEM(o, 0, a);
    PyTuple_SET_ITEM(o, 1, b);
    PyTuple_SET_ITEM(o, 2, S_KIND);
    PyTuple_SET_ITEM(o, 3, S_DETECTOR);
    PyTuple_SET_ITEM(o, 4, c);
    return o;
}

static int parse_tables(PyObject *tables, Tables *T)
{
    if (tables == tab_src) { /* checked when the table was built from it */
        for (int k = 0; k < T_SPAN; k++)
            T->set[k] = PyTuple_GET_ITEM(tables, k);
        T->span = (PyTypeObject *)PyTuple_GET_ITEM(tables, T_SPAN);
        return 0;
    }
    if (!PyTuple_Check(tables) || PyTuple_GET_SIZE(tables) != N_TABLES) {
        PyErr_Format(PyExc_TypeError, "tables: expected a tuple of %d items, got %R", N_TABLES, tables);
        return -1;
    }
    for (int k = 0; k < T_SPAN; k++) {
        PyObject *s = PyTuple_GET_ITEM(tables, k);
        if (!PyFrozenSet_CheckExact(s)) {
            PyErr_Format(PyExc_TypeError, "tables[%d]: expected a frozenset, got %R", k, s);
            return -1;
        }
        T->set[k] = s;
    }
    PyObject *span = PyTuple_GET_ITEM(tables, T_SPAN);
    if (!PyType_Check(span) || !PyType_IsSubtype((PyTypeObject *)span, &PyTuple_Type) ||
        ((PyTypeObject *)span)->tp_basicsize != PyTuple_Type.tp_basicsize ||
        ((PyTypeObject *)span)->tp_itemsize != PyTuple_Type.tp_itemsize) {
        PyErr_Format(PyExc_TypeError, "tables[%d]: expected a NamedTuple class, got %R", T_SPAN, span);
        return -1;
    }
    T->span = (PyTypeObject *)span;
    if (tables != tab_src && build_table(tables) < 0)
        return -1;
    return 0;
}

/* the spans of an ASCII text; None: the reference must answer; NULL: an error */
static PyObject *run(PyObject *text, PyObject *lowered, PyObject *words, PyObject *runs, PyObject *tables)
{
    Tables T;
    if (parse_tables(tables, &T) < 0)
        return NULL;
    if (!PyUnicode_Check(text) || STR_READY(text) < 0 || !PyUnicode_IS_ASCII(text))
        Py_RETURN_NONE;
    const char *t = (const char *)PyUnicode_1BYTE_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);

    PyObject *result = NULL;
    Anchors A;
    A.a = A.local;
    A.n = 0;
    A.cap = 16;
    char stackbuf[512];
    char *low = NULL;

    Py_ssize_t digit_runs;
    if (runs == Py_None) {
        digit_runs = 0;
        for (Py_ssize_t i = 0; i < n; i++)
            if (is_digit((unsigned char)t[i]) && (i == 0 || !is_digit((unsigned char)t[i - 1])))
                digit_runs++;
    } else if (PyLong_CheckExact(runs)) {
        digit_runs = PyLong_AsSsize_t(runs);
        if (digit_runs == -1 && PyErr_Occurred()) {
            PyErr_Clear(); /* huge: let the reference handle it */
            Py_RETURN_NONE;
        }
    } else {
        Py_RETURN_NONE; /* a bool or another number type: the reference's truthiness rules */
    }
    /* the caller's words settle the gates before the lowered text is needed */
    Gates g = {0, 0, 0, 0, 0};
    if (words != Py_None) {
        if (word_gates(words, NULL, 0, digit_runs != 0, &T, &g) < 0)
            return NULL;
        if (!digit_runs && !g.named)
            return PyList_New(0);
    }
    /* the lowered text: ours, or the caller's when it is exactly text.lower() */
    low = n <= (Py_ssize_t)sizeof(stackbuf) ? stackbuf : PyMem_Malloc((size_t)n + 1);
    if (low == NULL)
        return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++)
        low[i] = (char)low_c((unsigned char)t[i]);
    if (lowered != Py_None) {
        if (!PyUnicode_Check(lowered) || STR_READY(lowered) < 0 || !PyUnicode_IS_ASCII(lowered) ||
            PyUnicode_GET_LENGTH(lowered) != n || memcmp(PyUnicode_1BYTE_DATA(lowered), low, (size_t)n) != 0) {
            result = Py_None;
            Py_INCREF(result);
            goto done;
        }
    }
    if (words == Py_None) {
        if (word_gates(words, low, n, digit_runs != 0, &T, &g) < 0)
            goto done;
        if (!digit_runs && !g.named) {
            result = PyList_New(0);
            goto done;
        }
    }
    if (digit_runs) {
        if (g.streets && street_anchors(t, low, n, &T, &A) < 0)
            goto done;
        if (digit_runs >= 2 && num_words_num_anchors(t, n, &T, &A) < 0)
            goto done;
        if (compound_hint(low, n) && compound_anchors(low, n, &A) < 0)
            goto done;
        if (g.unit && unit_anchors(low, n, &A) < 0)
            goto done;
        if ((g.cue_first || (g.is && is_at_search(low, n))) && cue_anchors(t, low, n, &T, &A) < 0)
            goto done;
    }
    if (g.named && named_street_anchors(t, n, &T, &A) < 0)
        goto done;

    PyObject *out = PyList_New(0);
    if (out == NULL)
        goto done;
    if (A.n > 1)
        qsort(A.a, (size_t)A.n, sizeof(Anchor), cmp_anchor);
    Py_ssize_t last_end = -1;
    for (Py_ssize_t k = 0; k < A.n; k++) {
        Py_ssize_t start = A.a[k].start, end = A.a[k].end;
        if (start < last_end)
            continue;
        start = extend_left(t, start, &T);
        if (start < 0)
            goto fail;
        Py_ssize_t right = extend_right(t, n, end, &T);
        if (right < 0)
            goto fail;
        if (right > end)
            end = right;
        while (end > start && (t[end - 1] == ' ' || t[end - 1] == ',' || t[end - 1] == '.' || t[end - 1] == '\n' || t[end - 1] == '-'))
            end--;
        if (end <= start)
            continue;
        PyObject *span = new_span(T.span, start, end, A.a[k].conf);
        if (span == NULL)
            goto fail;
        int rc = PyList_Append(out, span);
        Py_DECREF(span);
        if (rc < 0)
            goto fail;
        last_end = end;
    }
    result = out;
    goto done;
fail:
    Py_DECREF(out);
done:
    if (A.a != A.local)
        PyMem_Free(A.a);
    if (low != NULL && low != stackbuf)
        PyMem_Free(low);
    return result;
}

static PyObject *detect_ascii(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_Format(PyExc_TypeError, "detect_ascii: expected 5 arguments, got %zd", nargs);
        return NULL;
    }
    return run(args[0], args[1], args[2], args[3], args[4]);
}

/* ---------------------------------------------------------------- the dispatcher */

static PyObject *tables_factory; /* addresses._tables */
static PyObject *reference;      /* addresses._detect_addresses_py */
static PyObject *tables_obj;     /* tables_factory(), on first use */

static PyObject *configure(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyCallable_Check(args[0]) || !PyCallable_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "configure(tables_factory, reference): two callables expected");
        return NULL;
    }
    Py_INCREF(args[0]);
    Py_INCREF(args[1]);
    Py_XSETREF(tables_factory, args[0]);
    Py_XSETREF(reference, args[1]);
    Py_CLEAR(tables_obj);
    Py_RETURN_NONE;
}

/* detect_addresses(text, lowered=None, *, words=None, digit_runs=None): ASCII texts here, every
 * other text and every other way of calling to the reference (with the very same arguments). */
static PyObject *detect_addresses(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (reference == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "privacy.detectors._addresses: configure() was not called");
        return NULL;
    }
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    Py_ssize_t nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    PyObject *lowered = Py_None, *words = Py_None, *runs = Py_None;
    if (nargs < 1 || nargs > 2)
        goto slow;
    if (nargs == 2)
        lowered = args[1];
    for (Py_ssize_t i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, i);
        if (key == S_WORDS || PyUnicode_CompareWithASCIIString(key, "words") == 0)
            words = args[nargs + i];
        else if (key == S_DIGIT_RUNS || PyUnicode_CompareWithASCIIString(key, "digit_runs") == 0)
            runs = args[nargs + i];
        else
            goto slow;
    }
    if (tables_obj == NULL && (tables_obj = PyObject_CallNoArgs(tables_factory)) == NULL)
        return NULL;
    PyObject *r = run(args[0], lowered, words, runs, tables_obj);
    if (r != Py_None)
        return r; /* the spans, or NULL with the error set */
    Py_DECREF(r);
slow:
    return PyObject_Vectorcall(reference, args, nargsf, kwnames);
}

static PyObject *str_tuple(const char *const *items, Py_ssize_t n)
{
    PyObject *t = PyTuple_New(n);
    if (t == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PyUnicode_FromString(items[i]);
        if (s == NULL) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, i, s);
    }
    return t;
}

static PyMethodDef methods[] = {
    {"detect_addresses", (PyCFunction)(void (*)(void))detect_addresses, METH_FASTCALL | METH_KEYWORDS,
     "detect_addresses(text, lowered=None, *, words=None, digit_runs=None) -> list[Span]\n\n"
     "Address spans (privacy.detectors.addresses): ASCII texts in C, the rest by the Python "
     "reference."},
    {"detect_ascii", (PyCFunction)(void (*)(void))detect_ascii, METH_FASTCALL,
     "detect_ascii(text, lowered, words, digit_runs, tables) -> list[Span] | None (None: the "
     "reference must answer)"},
    {"configure", (PyCFunction)(void (*)(void))configure, METH_FASTCALL,
     "configure(tables_factory, reference): what detect_addresses looks words up in, and the "
     "Python function answering for what it does not cover"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "privacy.detectors._addresses",
    "C twin of privacy.detectors.addresses for ASCII texts.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__addresses(void)
{
    if (S_KIND == NULL) {
        S_KIND = PyUnicode_InternFromString("ADDRESS");
        S_DETECTOR = PyUnicode_InternFromString("address");
        S_IS = PyUnicode_InternFromString("is");
        S_ISDISJOINT = PyUnicode_InternFromString("isdisjoint");
        S_WORDS = PyUnicode_InternFromString("words");
        S_DIGIT_RUNS = PyUnicode_InternFromString("digit_runs");
        if (S_KIND == NULL || S_DETECTOR == NULL || S_IS == NULL || S_ISDISJOINT == NULL ||
            S_WORDS == NULL || S_DIGIT_RUNS == NULL)
            return NULL;
    }
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    PyObject *units = str_tuple(UNITS, N_UNITS);
    if (PyModule_AddObject(m, "UNITS", units) < 0) {
        Py_XDECREF(units);
        Py_DECREF(m);
        return NULL;
    }
    PyObject *compound = str_tuple(COMPOUND, N_COMPOUND);
    if (PyModule_AddObject(m, "COMPOUND_SUFFIXES", compound) < 0) {
        Py_XDECREF(compound);
        Py_DECREF(m);
        return NULL;
    }
    PyObject *named = str_tuple(NAMED, N_NAMED);
    if (PyModule_AddObject(m, "NAMED_STREET_SUFFIXES", named) < 0) {
        Py_XDECREF(named);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
