/* C twin of privacy.detectors.names._detect_names_py for ASCII texts.
 *
 * The Python function is the reference: for every ASCII str this returns exactly the list it
 * returns (same Spans, same order). Regexes are hand-written scanners over the ASCII bytes
 * (character offsets == byte offsets); ASCII semantics of Python's regex classes:
 *   letter [^\W\d_] = [A-Za-z], \w = [A-Za-z0-9_], \s = [ \t\n\r\f\v\x1c-\x1f].
 *
 * The word lists stay in Python: detect_names(text, tables) receives a tuple
 *   (15 frozensets of words, cue alternatives, name particles, Span class)
 * built once by names._tables(); the frozensets are copied once into one C hash table mapping
 * each ASCII word to a bit mask of the lists holding it (rebuilt when another tuple comes).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#if PY_VERSION_HEX < 0x030C0000
#define STR_READY(s) PyUnicode_READY(s)
#else
#define STR_READY(s) 0 /* always ready since 3.12 */
#endif

/* word-list flags, in the order of the frozensets in the tables tuple */
enum {
    F_COMMON = 1u << 0,    /* common_words() */
    F_FIRST = 1u << 1,     /* first_names() */
    F_LAST = 1u << 2,      /* last_names() */
    F_STREET = 1u << 3,    /* street_words() */
    F_SEEN = 1u << 4,      /* seen_words() */
    F_PLACE = 1u << 5,     /* places() */
    F_ORDINARY = 1u << 6,  /* ordinary_names() */
    F_SAFE = 1u << 7,      /* safe_caps() (capitalised forms, looked up as written) */
    F_LOWERNAME = 1u << 8, /* lower_name_words() */
    F_TITLE = 1u << 9,     /* TITLES */
    F_SUFFIX = 1u << 10,   /* _SUFFIXES */
    F_VERB = 1u << 11,     /* _VERBS */
    F_PPREV = 1u << 12,    /* _PERSON_PREV */
    F_PVERB = 1u << 13,    /* _PERSON_VERBS */
    F_STOP = 1u << 14,     /* STOP_WORDS */
};
#define N_SETS 15
_Static_assert(N_SETS <= 16, "a slot keeps the list flags in 16 bits");
#define N_TABLES (N_SETS + 3)

/* ---------------------------------------------------------------- character classes (ASCII) */

enum { K_UPPER = 1, K_LOWER = 2, K_DIGIT = 4, K_UNDER = 8, K_SPACE = 16 };
#define K_LETTER (K_UPPER | K_LOWER)
#define K_ALNUM (K_LETTER | K_DIGIT)
#define K_WORD (K_ALNUM | K_UNDER)
static unsigned char g_class[256]; /* filled by init_classes() */
static unsigned char g_lower[256];

static void init_classes(void)
{
    for (int c = 0; c < 256; c++) {
        unsigned char k = 0;
        if (c >= 'A' && c <= 'Z')
            k |= K_UPPER;
        if (c >= 'a' && c <= 'z')
            k |= K_LOWER;
        if (c >= '0' && c <= '9')
            k |= K_DIGIT;
        if (c == '_')
            k |= K_UNDER;
        if (c == ' ' || (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x1f))
            k |= K_SPACE; /* str.isspace() on ASCII, what \s matches */
        g_class[c] = k;
        g_lower[c] = (unsigned char)((k & K_UPPER) ? c + 32 : c);
    }
}

static inline int is_upper(unsigned char c) { return g_class[c] & K_UPPER; }
static inline int is_lower(unsigned char c) { return g_class[c] & K_LOWER; }
static inline int is_letter(unsigned char c) { return g_class[c] & K_LETTER; }
static inline int is_alnum(unsigned char c) { return g_class[c] & K_ALNUM; }
static inline int is_word(unsigned char c) { return g_class[c] & K_WORD; }
static inline int is_re_space(unsigned char c) { return g_class[c] & K_SPACE; }
static inline unsigned char low_c(unsigned char c) { return g_lower[c]; }

/* ---------------------------------------------------------------- the word table */

typedef struct {
    uint32_t hash;
    uint32_t off;
    uint16_t len;
    uint16_t flags; /* 0: empty slot */
} Slot;

static Slot *g_slots = NULL;
static size_t g_mask = 0;
static char *g_pool = NULL;
static size_t g_maxlen = 0;
static Py_ssize_t g_title_maxlen = 0; /* longest ASCII word of TITLES */
static PyObject *g_tables = NULL; /* strong ref: the tuple the state was built from */
static PyTypeObject *g_span_type = NULL;
static int g_span_fast = 0; /* Span is a plain tuple subclass: build it with tp_alloc */

typedef struct {
    char lit[32];
    Py_ssize_t len;
    int need_ws; /* \s+ after the literal (else \s*) */
    int strong;  /* the normalised cue is in _STRONG_CUES */
} Cue;
#define MAX_CUES 64
static Cue g_cues[MAX_CUES];
static int g_ncues = 0;
/* bit k: cue k may start with these (lowercase) bytes: the first byte alone for a one-byte cue,
 * else the first two bytes, hashed into CUE2_SIZE buckets (a collision only adds a candidate) */
#define CUE2_SIZE 1024
static uint64_t g_cue1[256];
static uint64_t g_cue2[CUE2_SIZE];
static inline size_t cue2_index(unsigned char a, unsigned char b) { return ((size_t)a * 37u + b) & (CUE2_SIZE - 1); }

typedef struct {
    char lit[32];
    Py_ssize_t len;
} Particle;
#define MAX_PARTICLES 64
static Particle g_particles[MAX_PARTICLES];
static int g_nparticles = 0;

static PyObject *g_str_person = NULL, *g_str_name = NULL;
/* confidence codes: index into these */
enum { C_NONE = 0, C_090, C_080, C_050, C_045, C_040, N_CONF };
static const double CONF_VALUE[N_CONF] = {0.0, 0.9, 0.8, 0.5, 0.45, 0.4};
static PyObject *g_conf[N_CONF];

static inline uint32_t hash_bytes(const unsigned char *s, Py_ssize_t n, int lower)
{
    uint32_t h = 2166136261u;
    for (Py_ssize_t i = 0; i < n; i++) {
        h ^= lower ? low_c(s[i]) : s[i];
        h *= 16777619u;
    }
    return h;
}

/* a Bloom filter of lower_name_words() (16 kB, two bits a word): the lowercase-word pass asks
 * the 2 MB table only about the few words that pass it, sparing a cache miss a word */
#define BLOOM_BITS (1u << 17)
static uint64_t g_lower_bloom[BLOOM_BITS / 64];
static inline uint32_t bloom_bit1(uint32_t h) { return h & (BLOOM_BITS - 1); }
static inline uint32_t bloom_bit2(uint32_t h) { return ((h * 0x9E3779B1u) >> 15) & (BLOOM_BITS - 1); }
static inline void bloom_add(uint32_t h)
{
    g_lower_bloom[bloom_bit1(h) >> 6] |= (uint64_t)1 << (bloom_bit1(h) & 63);
    g_lower_bloom[bloom_bit2(h) >> 6] |= (uint64_t)1 << (bloom_bit2(h) & 63);
}
static inline int bloom_may_hold(uint32_t h)
{
    return ((g_lower_bloom[bloom_bit1(h) >> 6] >> (bloom_bit1(h) & 63)) & 1)
           && ((g_lower_bloom[bloom_bit2(h) >> 6] >> (bloom_bit2(h) & 63)) & 1);
}

/* flags of the word s[0:n] (lowercased first when ``lower``) whose hash is h */
static inline uint32_t lookup_h(const unsigned char *s, Py_ssize_t n, int lower, uint32_t h)
{
    if (g_slots == NULL || n <= 0 || (size_t)n > g_maxlen)
        return 0;
    size_t i = h & g_mask;
    for (;;) {
        const Slot *sl = &g_slots[i];
        if (sl->flags == 0)
            return 0;
        if (sl->hash == h && sl->len == (uint32_t)n) {
            const unsigned char *k = (const unsigned char *)g_pool + sl->off;
            Py_ssize_t j = 0;
            if (lower) {
                while (j < n && k[j] == low_c(s[j]))
                    j++;
            }
            else {
                while (j < n && k[j] == s[j])
                    j++;
            }
            if (j == n)
                return sl->flags;
        }
        i = (i + 1) & g_mask;
    }
}

/* flags of the word s[0:n] (lowercased first when ``lower``), 0 when in no list */
static inline uint32_t lookup(const unsigned char *s, Py_ssize_t n, int lower)
{
    if (g_slots == NULL || n <= 0 || (size_t)n > g_maxlen)
        return 0;
    return lookup_h(s, n, lower, hash_bytes(s, n, lower));
}

static void free_tables(void)
{
    PyMem_Free(g_slots);
    PyMem_Free(g_pool);
    g_slots = NULL;
    g_pool = NULL;
    g_mask = 0;
    g_maxlen = 0;
    g_title_maxlen = 0;
    memset(g_lower_bloom, 0, sizeof g_lower_bloom);
    g_ncues = 0;
    memset(g_cue1, 0, sizeof g_cue1);
    memset(g_cue2, 0, sizeof g_cue2);
    g_nparticles = 0;
    Py_CLEAR(g_tables);
    Py_CLEAR(g_span_type);
    g_span_fast = 0;
}

/* add every ASCII str of ``set`` with ``flag``; returns -1 with an exception on error */
static int add_set(PyObject *set, uint32_t flag, size_t *pool_len, size_t pool_cap,
                   Py_ssize_t *maxlen)
{
    PyObject *it = PyObject_GetIter(set);
    if (it == NULL)
        return -1;
    PyObject *w;
    while ((w = PyIter_Next(it)) != NULL) {
        if (!PyUnicode_Check(w)) {
            PyErr_Format(PyExc_TypeError, "names tables: word %R is not a str", w);
            Py_DECREF(w);
            Py_DECREF(it);
            return -1;
        }
        if (STR_READY(w) < 0) {
            Py_DECREF(w);
            Py_DECREF(it);
            return -1;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(w);
        if (!PyUnicode_IS_ASCII(w) || n == 0 || n > 0xFFFF) {
            Py_DECREF(w); /* never equal to an ASCII word of a text */
            continue;
        }
        const unsigned char *s = (const unsigned char *)PyUnicode_DATA(w);
        if (n > *maxlen)
            *maxlen = n;
        uint32_t h = hash_bytes(s, n, 0);
        if (flag == F_LOWERNAME)
            bloom_add(h); /* lookups lowercase the word: the same hash for a lowercase key */
        size_t i = h & g_mask;
        for (;;) {
            Slot *sl = &g_slots[i];
            if (sl->flags == 0) {
                if (*pool_len + (size_t)n > pool_cap) {
                    PyErr_SetString(PyExc_RuntimeError, "names tables: word pool overflow");
                    Py_DECREF(w);
                    Py_DECREF(it);
                    return -1;
                }
                memcpy(g_pool + *pool_len, s, (size_t)n);
                sl->hash = h;
                sl->off = (uint32_t)*pool_len;
                sl->len = (uint16_t)n;
                sl->flags = (uint16_t)flag;
                *pool_len += (size_t)n;
                if ((size_t)n > g_maxlen)
                    g_maxlen = (size_t)n;
                break;
            }
            if (sl->hash == h && sl->len == (uint32_t)n && memcmp(g_pool + sl->off, s, (size_t)n) == 0) {
                sl->flags = (uint16_t)(sl->flags | flag);
                break;
            }
            i = (i + 1) & g_mask;
        }
        Py_DECREF(w);
    }
    Py_DECREF(it);
    return PyErr_Occurred() ? -1 : 0;
}

/* copy an ASCII str into buf (size cap incl. NUL); -1 with an exception when not possible */
static int copy_ascii(PyObject *s, char *buf, size_t cap, Py_ssize_t *len, const char *what)
{
    if (!PyUnicode_Check(s) || STR_READY(s) < 0 || !PyUnicode_IS_ASCII(s)
        || (size_t)PyUnicode_GET_LENGTH(s) >= cap || PyUnicode_GET_LENGTH(s) == 0) {
        if (!PyErr_Occurred())
            PyErr_Format(PyExc_ValueError, "names tables: %s %R is not a short ASCII str", what, s);
        return -1;
    }
    *len = PyUnicode_GET_LENGTH(s);
    memcpy(buf, PyUnicode_DATA(s), (size_t)*len);
    buf[*len] = '\0';
    return 0;
}

static int build_tables(PyObject *tables)
{
    if (!PyTuple_Check(tables) || PyTuple_GET_SIZE(tables) != N_TABLES) {
        PyErr_Format(PyExc_TypeError, "names tables: expected a tuple of %d items, got %R",
                     N_TABLES, tables);
        return -1;
    }
    free_tables();
    size_t total = 0, chars = 0;
    for (int k = 0; k < N_SETS; k++) {
        PyObject *set = PyTuple_GET_ITEM(tables, k);
        if (!PyAnySet_Check(set)) {
            PyErr_Format(PyExc_TypeError, "names tables: item %d is not a set: %R", k, set);
            return -1;
        }
        Py_ssize_t size = PySet_GET_SIZE(set);
        total += (size_t)size;
        PyObject *it = PyObject_GetIter(set);
        if (it == NULL)
            return -1;
        PyObject *w;
        while ((w = PyIter_Next(it)) != NULL) {
            if (PyUnicode_Check(w) && STR_READY(w) == 0)
                chars += (size_t)PyUnicode_GET_LENGTH(w);
            Py_DECREF(w);
        }
        Py_DECREF(it);
        if (PyErr_Occurred())
            return -1;
    }
    size_t cap = 64; /* load factor <= 3/4 even with every word in one list only */
    while (cap < total + total / 3 + 2)
        cap <<= 1;
    if (chars >= UINT32_MAX) {
        PyErr_SetString(PyExc_ValueError, "names tables: the word lists are too large");
        return -1;
    }
    g_slots = PyMem_Calloc(cap, sizeof(Slot));
    g_pool = PyMem_Malloc(chars + 1);
    if (g_slots == NULL || g_pool == NULL) {
        free_tables();
        PyErr_NoMemory();
        return -1;
    }
    g_mask = cap - 1;
    size_t pool_len = 0;
    for (int k = 0; k < N_SETS; k++) {
        Py_ssize_t maxlen = 0;
        if (add_set(PyTuple_GET_ITEM(tables, k), 1u << k, &pool_len, chars + 1, &maxlen) < 0) {
            free_tables();
            return -1;
        }
        if ((1u << k) == F_TITLE)
            g_title_maxlen = maxlen;
    }
    /* cue alternatives, in the regex's order: (literal, needs whitespace, strong) */
    PyObject *cues = PyTuple_GET_ITEM(tables, N_SETS);
    if (!PyTuple_Check(cues) || PyTuple_GET_SIZE(cues) > MAX_CUES) {
        PyErr_SetString(PyExc_TypeError, "names tables: cues must be a short tuple");
        free_tables();
        return -1;
    }
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(cues); k++) {
        PyObject *c = PyTuple_GET_ITEM(cues, k);
        if (!PyTuple_Check(c) || PyTuple_GET_SIZE(c) != 3) {
            PyErr_Format(PyExc_TypeError, "names tables: cue %R is not (str, bool, bool)", c);
            free_tables();
            return -1;
        }
        Cue *cue = &g_cues[k];
        if (copy_ascii(PyTuple_GET_ITEM(c, 0), cue->lit, sizeof cue->lit, &cue->len, "cue") < 0) {
            free_tables();
            return -1;
        }
        int need_ws = PyObject_IsTrue(PyTuple_GET_ITEM(c, 1));
        int strong = PyObject_IsTrue(PyTuple_GET_ITEM(c, 2));
        if (need_ws < 0 || strong < 0) {
            free_tables();
            return -1;
        }
        cue->need_ws = need_ws;
        cue->strong = strong;
        if (cue->len == 1)
            g_cue1[(unsigned char)cue->lit[0]] |= (uint64_t)1 << k;
        else
            g_cue2[cue2_index((unsigned char)cue->lit[0], (unsigned char)cue->lit[1])] |= (uint64_t)1 << k;
        g_ncues = (int)k + 1;
    }
    PyObject *parts = PyTuple_GET_ITEM(tables, N_SETS + 1);
    if (!PyTuple_Check(parts) || PyTuple_GET_SIZE(parts) > MAX_PARTICLES) {
        PyErr_SetString(PyExc_TypeError, "names tables: particles must be a short tuple");
        free_tables();
        return -1;
    }
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(parts); k++) {
        Particle *p = &g_particles[k];
        if (copy_ascii(PyTuple_GET_ITEM(parts, k), p->lit, sizeof p->lit, &p->len, "particle") < 0) {
            free_tables();
            return -1;
        }
        g_nparticles = (int)k + 1;
    }
    PyObject *span = PyTuple_GET_ITEM(tables, N_SETS + 2);
    if (!PyType_Check(span) || !PyType_IsSubtype((PyTypeObject *)span, &PyTuple_Type)) {
        PyErr_Format(PyExc_TypeError, "names tables: Span %R is not a tuple type", span);
        free_tables();
        return -1;
    }
    Py_INCREF(span);
    g_span_type = (PyTypeObject *)span;
    g_span_fast = g_span_type->tp_basicsize == PyTuple_Type.tp_basicsize
                  && g_span_type->tp_itemsize == PyTuple_Type.tp_itemsize
                  && g_span_type->tp_alloc != NULL;
    Py_INCREF(tables);
    g_tables = tables;
    return 0;
}

/* ---------------------------------------------------------------- seeds: start -> (end, conf) */

#define STACK_SEEDS 256
typedef struct {
    Py_ssize_t *end; /* end[start], 0 = no seed (an end is always > its start >= 0) */
    unsigned char *conf;
    Py_ssize_t n, lo, hi, count;
    int heap;
    Py_ssize_t stack_end[STACK_SEEDS];
    unsigned char stack_conf[STACK_SEEDS];
} Seeds;

static int seeds_alloc(Seeds *sd)
{
    if (sd->end != NULL)
        return 0;
    if (sd->n <= STACK_SEEDS) {
        memset(sd->stack_end, 0, sizeof sd->stack_end);
        memset(sd->stack_conf, 0, sizeof sd->stack_conf);
        sd->end = sd->stack_end;
        sd->conf = sd->stack_conf;
        return 0;
    }
    sd->end = PyMem_Calloc((size_t)sd->n, sizeof(Py_ssize_t));
    sd->conf = PyMem_Calloc((size_t)sd->n, 1);
    sd->heap = 1;
    if (sd->end == NULL || sd->conf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

static void seeds_free(Seeds *sd)
{
    if (sd->heap) {
        PyMem_Free(sd->end);
        PyMem_Free(sd->conf);
    }
    sd->end = NULL;
    sd->conf = NULL;
}

static inline int seed_has(const Seeds *sd, Py_ssize_t s)
{
    return sd->end != NULL && s >= 0 && s < sd->n && sd->end[s] != 0;
}

/* seeds[s] = (e, conf) */
static int seed_set(Seeds *sd, Py_ssize_t s, Py_ssize_t e, unsigned char conf)
{
    if (s < 0 || s >= sd->n || e <= s)
        return 0; /* cannot happen: every seed is a non-empty token inside the text */
    if (seeds_alloc(sd) < 0)
        return -1;
    if (sd->end[s] == 0) {
        sd->count++;
        if (sd->count == 1 || s < sd->lo)
            sd->lo = s;
        if (sd->count == 1 || s > sd->hi)
            sd->hi = s;
    }
    sd->end[s] = e;
    sd->conf[s] = conf;
    return 0;
}

/* ---------------------------------------------------------------- scanners */

/* end of _TOKEN = [^\W\d_]+(?:['’\-][^\W\d_]+)* matched at s (t[s] must be a letter) */
static inline Py_ssize_t token_end(const unsigned char *t, Py_ssize_t n, Py_ssize_t s)
{
    Py_ssize_t i = s;
    while (i < n && is_letter(t[i]))
        i++;
    while (i + 1 < n && (t[i] == '\'' || t[i] == '-') && is_letter(t[i + 1])) {
        i += 2;
        while (i < n && is_letter(t[i]))
            i++;
    }
    return i;
}

/* length of _bare(word): lowercase (done by lookup) without a final "'s" */
static inline Py_ssize_t bare_len(const unsigned char *w, Py_ssize_t len)
{
    if (len >= 2 && w[len - 2] == '\'' && low_c(w[len - 1]) == 's')
        return len - 2;
    return len;
}

/* _prev_word: (j, i) of the word just before ``start`` when only spaces separate them */
static inline int prev_word(const unsigned char *t, Py_ssize_t start, Py_ssize_t *pj, Py_ssize_t *pi)
{
    if (start > 0 && t[start - 1] == '\n')
        start -= 1;
    Py_ssize_t i = start;
    while (i > 0 && t[i - 1] == ' ')
        i--;
    if (i == start)
        return 0;
    Py_ssize_t j = i;
    while (j > 0 && is_letter(t[j - 1]))
        j--;
    if (j >= i)
        return 0;
    *pj = j;
    *pi = i;
    return 1;
}

/* _NEXT_ANY = \s*([^\W\d_]+) matched at ``end``: the letter run's bounds */
static inline int next_any(const unsigned char *t, Py_ssize_t n, Py_ssize_t end, Py_ssize_t *ps,
                           Py_ssize_t *pe)
{
    Py_ssize_t i = end;
    while (i < n && is_re_space(t[i]))
        i++;
    if (i >= n || !is_letter(t[i]))
        return 0;
    Py_ssize_t s = i;
    while (i < n && is_letter(t[i]))
        i++;
    *ps = s;
    *pe = i;
    return 1;
}

static inline int sentence_start(const unsigned char *t, Py_ssize_t start)
{
    Py_ssize_t i = start - 1;
    while (i >= 0 && (t[i] == ' ' || t[i] == '\t'))
        i--;
    if (i < 0)
        return 1;
    switch (t[i]) {
    case '.': case '!': case '?': case ':': case '\n': case '"': case '(':
        return 1;
    default:
        return 0;
    }
}

static inline int named_by_neighbours(const unsigned char *t, Py_ssize_t n, Py_ssize_t end)
{
    if (end < n && t[end] == ',')
        return 1;
    Py_ssize_t s, e;
    if (!next_any(t, n, end, &s, &e))
        return 0;
    uint32_t fl = lookup(t + s, e - s, 1);
    if (fl & F_PVERB)
        return 1;
    return is_upper(t[s]) && (fl & (F_FIRST | F_LAST));
}

/* _JOIN's alternatives, matched against all of g[0:len] */
static int join_alt(const unsigned char *g, Py_ssize_t len)
{
    if (len == 1 && (g[0] == ' ' || g[0] == '-' || g[0] == '.'))
        return 1;
    if (len == 2 && ((is_re_space(g[0]) && g[1] == '.') || (g[0] == '.' && is_re_space(g[1]))))
        return 1;
    if (len == 3 && is_re_space(g[0]) && g[1] == '.' && is_re_space(g[2]))
        return 1;
    if (len >= 3 && g[0] == ' ' && g[len - 1] == ' ') {
        for (int k = 0; k < g_nparticles; k++) {
            if (g_particles[k].len == len - 2 && memcmp(g + 1, g_particles[k].lit, (size_t)(len - 2)) == 0)
                return 1;
        }
    }
    return 0;
}

/* _JOIN.match(gap): ``$`` also matches before a final newline */
static int join_ok(const unsigned char *g, Py_ssize_t len)
{
    if (join_alt(g, len))
        return 1;
    return len > 0 && g[len - 1] == '\n' && join_alt(g, len - 1);
}

/* ---------------------------------------------------------------- the passes */

/* _TITLE_RE on the lowered text, then a seed at the token after each title */
static int title_pass(const unsigned char *t, Py_ssize_t n, Seeds *sd)
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
        /* the title is a whole letter run: (?<!\w) before it, "." or " " after it */
        if (s > 0 && is_word(t[s - 1]))
            continue;
        if (i - s > g_title_maxlen || i >= n || (t[i] != '.' && t[i] != ' '))
            continue; /* cheap tests first: too long, or not followed by "." or " " */
        if (!(lookup(t + s, i - s, 1) & F_TITLE))
            continue;
        Py_ssize_t q = i;
        if (q < n && t[q] == '.')
            q++;
        Py_ssize_t sp = q;
        while (q < n && t[q] == ' ')
            q++;
        if (q == sp || q >= n || !is_letter(t[q]))
            continue;
        Py_ssize_t we = token_end(t, n, q);
        if (is_upper(t[q]) || !(lookup(t + q, bare_len(t + q, we - q), 1) & F_COMMON)) {
            if (seed_set(sd, q, we, C_090) < 0)
                return -1;
        }
    }
    return 0;
}

/* _cues + cue_seeds: each word a cue phrase names; a seed of ``sd`` (when no seed starts
 * there yet), or, when ``list`` is not NULL, a tuple (start, end, confidence) appended to it */
static int cue_pass(const unsigned char *t, Py_ssize_t n, Seeds *sd, PyObject *list)
{
    Py_ssize_t p = 0;
    while (p < n) {
        uint64_t cands = g_cue1[low_c(t[p])];
        if (p + 1 < n)
            cands |= g_cue2[cue2_index(low_c(t[p]), low_c(t[p + 1]))];
        if (cands == 0) {
            p++;
            continue;
        }
        const Cue *cue = NULL;
        Py_ssize_t mend = 0;
        for (; cands != 0; cands &= cands - 1) { /* in the regex's order */
            const Cue *c = &g_cues[__builtin_ctzll(cands)];
            if (c->len > n - p)
                continue;
            Py_ssize_t j = 0;
            while (j < c->len && low_c(t[p + j]) == (unsigned char)c->lit[j])
                j++;
            if (j < c->len)
                continue;
            Py_ssize_t q = p + c->len;
            while (q < n && is_re_space(t[q]))
                q++;
            if (c->need_ws && q == p + c->len)
                continue;
            cue = c;
            mend = q;
            break;
        }
        if (cue == NULL) {
            p++;
            continue;
        }
        Py_ssize_t mstart = p;
        p = mend; /* finditer goes on after the match, kept or not */
        if (mstart > 0 && is_alnum(t[mstart - 1]))
            continue;
        Py_ssize_t pos = mend;
        if (pos >= n || !is_letter(t[pos]))
            continue;
        Py_ssize_t we = token_end(t, n, pos);
        uint32_t fl = lookup(t + pos, bare_len(t + pos, we - pos), 1);
        int upper = is_upper(t[pos]);
        if ((fl & F_COMMON) && !(cue->strong && (fl & F_FIRST) && upper))
            continue;
        if (cue->strong || upper || (fl & F_FIRST)) {
            unsigned char conf = cue->strong ? C_080 : C_050;
            if (list != NULL) {
                PyObject *item = Py_BuildValue("(nnO)", pos, we, g_conf[conf]);
                if (item == NULL)
                    return -1;
                int rc = PyList_Append(list, item);
                Py_DECREF(item);
                if (rc < 0)
                    return -1;
            }
            else if (!seed_has(sd, pos) && seed_set(sd, pos, we, conf) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* the capitalised-word pass (_CAP_WORD_ASCII) */
static int cap_pass(const unsigned char *t, Py_ssize_t n, Seeds *sd)
{
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!is_upper(t[i]))
            continue;
        if (i > 0 && (is_word(t[i - 1]) || t[i - 1] == '\'' || t[i - 1] == '-'))
            continue;
        Py_ssize_t s = i, e = token_end(t, n, i);
        i = e - 1; /* no match starts inside this one */
        if (seed_has(sd, s))
            continue;
        if (lookup(t + s, e - s, 0) & F_SAFE)
            continue;
        int has_lower = 0;
        for (Py_ssize_t k = s; k < e; k++) {
            if (is_lower(t[k])) {
                has_lower = 1;
                break;
            }
        }
        if (!has_lower)
            continue; /* acronyms and shouting */
        Py_ssize_t blen = bare_len(t + s, e - s);
        if (blen < 2)
            continue;
        uint32_t fl = lookup(t + s, blen, 1);
        if (fl & F_TITLE)
            continue;
        int is_common = (fl & F_COMMON) != 0;
        int known = (fl & F_FIRST) || ((fl & F_LAST) && !(fl & F_PLACE));
        if (known && !is_common) {
            if ((fl & F_ORDINARY) && sentence_start(t, s)) {
                if (named_by_neighbours(t, n, e) && seed_set(sd, s, e, C_050) < 0)
                    return -1;
                continue;
            }
            if (seed_set(sd, s, e, C_080) < 0)
                return -1;
            continue;
        }
        if (is_common || (fl & F_STREET))
            continue;
        Py_ssize_t ns, ne;
        if ((next_any(t, n, e, &ns, &ne) && (lookup(t + ns, ne - ns, 1) & F_VERB))
            || (e < n && t[e] == ',' && sentence_start(t, s))) {
            if (seed_set(sd, s, e, C_040) < 0)
                return -1;
            continue;
        }
        Py_ssize_t pj, pi;
        if (prev_word(t, s, &pj, &pi) && (lookup(t + pj, pi - pj, 1) & F_PPREV)) {
            if (seed_set(sd, s, e, C_040) < 0)
                return -1;
        }
    }
    return 0;
}

/* lower_name_seeds: whole lowercase words that are known first names, not contractions */
static int lower_pass(const unsigned char *t, Py_ssize_t n, Seeds *sd)
{
    Py_ssize_t i = 0;
    while (i < n) {
        if (!is_word(t[i])) {
            i++;
            continue;
        }
        Py_ssize_t s = i;
        int letters = 1;
        while (i < n && is_word(t[i])) {
            if (!is_letter(t[i]))
                letters = 0;
            i++;
        }
        if (!letters || i - s < 3 || !is_lower(t[s]))
            continue;
        uint32_t h = hash_bytes(t + s, i - s, 1);
        if (!bloom_may_hold(h) || !(lookup_h(t + s, i - s, 1, h) & F_LOWERNAME))
            continue;
        if (i + 1 < n && t[i] == '\'' && t[i + 1] == 't')
            continue;
        if (!seed_has(sd, s) && seed_set(sd, s, i, C_045) < 0)
            return -1;
    }
    return 0;
}

static PyObject *make_span(Py_ssize_t start, Py_ssize_t end, unsigned char conf)
{
    PyObject *a = PyLong_FromSsize_t(start);
    if (a == NULL)
        return NULL;
    PyObject *b = PyLong_FromSsize_t(end);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    PyObject *c = g_conf[conf];
    if (g_span_fast) {
        PyObject *span = g_span_type->tp_alloc(g_span_type, 5);
        if (span == NULL) {
            Py_DECREF(a);
            Py_DECREF(b);
            return NULL;
        }
        Py_INCREF(g_str_person);
        Py_INCREF(g_str_name);
        Py_INCREF(c);
        PyTuple_SET_ITEM(span, 0, a);
        PyTuple_SET_ITEM(span, 1, b);
        PyTuple_SET_ITEM(span, 2, g_str_person);
        PyTuple_SET_ITEM(span, 3, g_str_name);
        PyTuple_SET_ITEM(span, 4, c);
        return span;
    }
    PyObject *args[5] = {a, b, g_str_person, g_str_name, c};
    PyObject *span = PyObject_Vectorcall((PyObject *)g_span_type, args, 5, NULL);
    Py_DECREF(a);
    Py_DECREF(b);
    return span;
}

/* merge the seeds and widen each span into the list of Spans */
static PyObject *build_spans(const unsigned char *t, Py_ssize_t n, Seeds *sd)
{
    PyObject *out = PyList_New(0);
    if (out == NULL || sd->count == 0)
        return out;
    Py_ssize_t cap = sd->count;
    Py_ssize_t *ms = PyMem_Malloc((size_t)cap * 2 * sizeof(Py_ssize_t));
    unsigned char *mc = PyMem_Malloc((size_t)cap);
    if (ms == NULL || mc == NULL) {
        PyMem_Free(ms);
        PyMem_Free(mc);
        Py_DECREF(out);
        return PyErr_NoMemory();
    }
    Py_ssize_t *me = ms + cap;
    Py_ssize_t nm = 0;
    for (Py_ssize_t s = sd->lo; s <= sd->hi && s < n; s++) {
        Py_ssize_t e = sd->end[s];
        if (e == 0)
            continue;
        unsigned char c = sd->conf[s];
        if (nm > 0 && s >= me[nm - 1] && join_ok(t + me[nm - 1], s - me[nm - 1])) {
            me[nm - 1] = e;
            if (CONF_VALUE[c] > CONF_VALUE[mc[nm - 1]])
                mc[nm - 1] = c;
            continue;
        }
        if (nm > 0 && s < me[nm - 1])
            continue;
        if (nm >= cap)
            break; /* cannot happen: at most one merged span per seed */
        ms[nm] = s;
        me[nm] = e;
        mc[nm] = c;
        nm++;
    }
    for (Py_ssize_t k = 0; k < nm; k++) {
        Py_ssize_t start = ms[k], end = me[k];
        int lower_seed = is_lower(t[start]);
        Py_ssize_t pj, pi;
        if (prev_word(t, start, &pj, &pi) && is_upper(t[pj])) {
            uint32_t fl = lookup(t + pj, pi - pj, 1);
            if ((fl & F_FIRST) && !(fl & F_STOP))
                start = pj;
        }
        while (!(end - start >= 2 && t[end - 2] == '\'' && t[end - 1] == 's')) {
            /* _NEXT_WORD = [ ]([^\W\d_]+(?:['’\-][^\W\d_]+)*\.?) */
            if (end >= n || t[end] != ' ')
                break;
            Py_ssize_t q = end + 1;
            if (q >= n || !is_letter(t[q]))
                break;
            Py_ssize_t we = token_end(t, n, q);
            int dot = we < n && t[we] == '.';
            Py_ssize_t wl = we - q + dot;
            uint32_t fw = lookup(t + q, wl, 1);
            uint32_t fb = dot ? lookup(t + q, we - q, 1) : fw; /* lw.rstrip(".") */
            int suffix = (fb & F_SUFFIX) != 0;
            if (suffix
                || (((fw & F_LAST) || is_upper(t[q]) || (lower_seed && !(fw & F_SEEN)))
                    && !(fw & F_COMMON) && !(fw & F_STREET))) {
                end = (!dot || suffix) ? q + wl : q + wl - 1;
            }
            else {
                break;
            }
        }
        if (end >= 2 && end <= n && t[end - 2] == '\'' && t[end - 1] == 's')
            end -= 2;
        PyObject *span = make_span(start, end, mc[k]);
        if (span == NULL || PyList_Append(out, span) < 0) {
            Py_XDECREF(span);
            Py_DECREF(out);
            PyMem_Free(ms);
            PyMem_Free(mc);
            return NULL;
        }
        Py_DECREF(span);
    }
    PyMem_Free(ms);
    PyMem_Free(mc);
    return out;
}

static int ensure_tables(PyObject *tables)
{
    if (tables == g_tables && g_slots != NULL)
        return 0;
    return build_tables(tables);
}

/* 1 when ``lowered`` is None or the lowercase form of the ASCII ``text`` (what the callers pass;
 * the scanners lowercase on the fly), 0 when not (the caller then uses the Python reference) */
static int lowered_matches(PyObject *text, PyObject *lowered)
{
    if (lowered == Py_None)
        return 1;
    if (!PyUnicode_Check(lowered) || STR_READY(lowered) < 0 || !PyUnicode_IS_ASCII(lowered)
        || PyUnicode_GET_LENGTH(lowered) != PyUnicode_GET_LENGTH(text)) {
        PyErr_Clear();
        return 0;
    }
    const unsigned char *t = (const unsigned char *)PyUnicode_DATA(text);
    const unsigned char *l = (const unsigned char *)PyUnicode_DATA(lowered);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (l[i] != low_c(t[i]))
            return 0;
    }
    return 1;
}

static int check_text(PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "detect_names: text must be a str, got %.100s",
                     Py_TYPE(text)->tp_name);
        return -1;
    }
    if (STR_READY(text) < 0)
        return -1;
    if (!PyUnicode_IS_ASCII(text)) {
        PyErr_SetString(PyExc_ValueError, "detect_names: text must be ASCII (the Python path reads the rest)");
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(detect_names_doc,
             "detect_names(text, tables, lowered=None) -> list[Span] | None\n\n"
             "Person-name spans of an ASCII text, exactly as names._detect_names_py finds them;\n"
             "``tables`` is names._tables(). None when ``lowered`` is given and is not\n"
             "text.lower() (the Python reference reads such a call).");

static PyObject *names_detect_names(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 && nargs != 3) {
        PyErr_Format(PyExc_TypeError, "detect_names() takes 2 or 3 arguments (%zd given)", nargs);
        return NULL;
    }
    PyObject *text = args[0];
    if (check_text(text) < 0 || ensure_tables(args[1]) < 0)
        return NULL;
    if (nargs == 3 && !lowered_matches(text, args[2]))
        Py_RETURN_NONE;
    const unsigned char *t = (const unsigned char *)PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    Seeds sd;
    sd.end = NULL;
    sd.conf = NULL;
    sd.n = n;
    sd.lo = sd.hi = sd.count = 0;
    sd.heap = 0;
    PyObject *out = NULL;
    if (title_pass(t, n, &sd) < 0 || cue_pass(t, n, &sd, NULL) < 0 || cap_pass(t, n, &sd) < 0
        || lower_pass(t, n, &sd) < 0)
        goto done;
    out = build_spans(t, n, &sd);
done:
    seeds_free(&sd);
    return out;
}

PyDoc_STRVAR(cue_seeds_doc,
             "cue_seeds(text, tables, lowered) -> list[tuple[int, int, float]] | None\n\n"
             "names.cue_seeds of an ASCII text; None when ``lowered`` is not text.lower().");

static PyObject *names_cue_seeds(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_Format(PyExc_TypeError, "cue_seeds() takes 3 arguments (%zd given)", nargs);
        return NULL;
    }
    PyObject *text = args[0];
    if (check_text(text) < 0 || ensure_tables(args[1]) < 0)
        return NULL;
    if (!lowered_matches(text, args[2]))
        Py_RETURN_NONE;
    PyObject *out = PyList_New(0);
    if (out == NULL)
        return NULL;
    if (cue_pass((const unsigned char *)PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text), NULL, out) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

static PyMethodDef names_methods[] = {
    {"detect_names", (PyCFunction)(void (*)(void))names_detect_names, METH_FASTCALL, detect_names_doc},
    {"cue_seeds", (PyCFunction)(void (*)(void))names_cue_seeds, METH_FASTCALL, cue_seeds_doc},
    {NULL, NULL, 0, NULL},
};

static void names_free(void *module)
{
    free_tables();
    Py_CLEAR(g_str_person);
    Py_CLEAR(g_str_name);
    for (int k = 0; k < N_CONF; k++)
        Py_CLEAR(g_conf[k]);
}

static struct PyModuleDef names_module = {
    PyModuleDef_HEAD_INIT,
    "_names",
    "C twin of privacy.detectors.names for ASCII texts.",
    -1,
    names_methods,
    NULL,
    NULL,
    NULL,
    names_free,
};

PyMODINIT_FUNC PyInit__names(void)
{
    init_classes();
    if (g_str_person == NULL) {
        g_str_person = PyUnicode_InternFromString("PERSON");
        g_str_name = PyUnicode_InternFromString("name");
        if (g_str_person == NULL || g_str_name == NULL)
            return NULL;
        for (int k = 0; k < N_CONF; k++) {
            g_conf[k] = PyFloat_FromDouble(CONF_VALUE[k]);
            if (g_conf[k] == NULL)
                return NULL;
        }
    }
    return PyModule_Create(&names_module);
}
