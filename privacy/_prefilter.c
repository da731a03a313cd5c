/* The quick reject of privacy.prefilter.cannot_hold_pii, compiled, for ASCII texts.
 *
 * Same verdict as the Python reference for every ASCII str (tests/unit/privacy/test_accel_prefilter.py
 * compares them on the development corpora and generated texts). The word sets stay defined in
 * Python; configure() copies them once into open-addressing hash tables, so that a word is looked
 * up without making a Python object. The three checks that read a text closer (a few digits near
 * an account or address word, a lowercase first name, a name cue, hyphen/apostrophe-joined
 * capitalised words) call back into Python, only for the texts that need them.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_wordset.h"

/* Two tables, one probe per word each: the lowercase words (trigger words, lowercase first
 * names and, for few_digits_are_harmless, numbers._CONTEXT_CUE_WORDS, wordlists.street_words(),
 * addresses._UNIT_GATE and addresses._CUE_FIRST_WORDS), and the words as written (the safe
 * capitalised words and the named-street suffixes). */
enum {
    TRIGGER = 1, LOWER_NAME = 2, CONTEXT_CUE = 4, STREET_WORD = 8, UNIT_WORD = 16, ADDRESS_CUE = 32
};
enum { SAFE_CAP = 1, STREET_SUFFIX = 2 };
static WordSet LOWER, CASED;
static char **COMPOUND_SUFFIXES;
static Py_ssize_t N_COMPOUND_SUFFIXES;
static PyObject *MIN_RULE_DIGITS, *LOWER_NAME_SEEDS, *CUE_SEEDS;
static int CONFIGURED = 0;

static inline int is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static inline int is_lower(char c) { return c >= 'a' && c <= 'z'; }
static inline int is_letter(char c) { return is_upper(c) || is_lower(c); }
static inline char to_lower(char c) { return is_upper(c) ? (char)(c + 32) : c; }

/* names.unusual_caps(text) != [] on ASCII: some token of names._CAP_WORD_ASCII
 * ([A-Z] not after [A-Za-z0-9_'-], letters, then groups of ' or - and letters) is neither in the
 * safe capitalised words nor all upper case. */
static int has_unusual_caps(const char *s, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i < n;) {
        char prev = i > 0 ? s[i - 1] : ' ';
        if (!is_upper(s[i]) || is_letter(prev) || (prev >= '0' && prev <= '9') || prev == '_' ||
            prev == '\'' || prev == '-') {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < n && is_letter(s[j]))
            j++;
        while (j + 1 < n && (s[j] == '\'' || s[j] == '-') && is_letter(s[j + 1])) {
            j += 1;
            while (j < n && is_letter(s[j]))
                j++;
        }
        int all_upper = 1;
        for (Py_ssize_t k = i; k < j; k++)
            if (is_lower(s[k]))
                all_upper = 0;
        if (!all_upper && !(wordset_flags(&CASED, s + i, j - i, fnv1a(s + i, j - i)) & SAFE_CAP))
            return 1;
        i = j;
    }
    return 0;
}

/* The name-cue alternatives of prefilter._CUE_START, each after a space of the lowercase letters
 * buffer (every non-letter byte a space, one leading space added). */
static const char *const CUE_STARTS[] = {
    "name", "call", "speak", "surname", "signed", "regards", "dear", "i am", "i m", "this is", "ask for",
};
#define N_CUE_STARTS (sizeof(CUE_STARTS) / sizeof(CUE_STARTS[0]))

static int starts_with(const char *s, Py_ssize_t n, const char *prefix)
{
    Py_ssize_t i = 0;
    for (; prefix[i] != '\0'; i++)
        if (i >= n || s[i] != prefix[i])
            return 0;
    return 1;
}

/* Whether one of prefilter._CUE_START's alternatives starts at ``w``, a word start of the
 * letters buffer (so right after one of its spaces: where that pattern can match), ``left``
 * bytes before the buffer's end. */
static int cue_at(const char *w, Py_ssize_t left)
{
    switch (w[0]) {
    case 'n': case 'c': case 's': case 'r': case 'd': case 'i': case 't': case 'a':
        for (size_t k = 0; k < N_CUE_STARTS; k++)
            if (CUE_STARTS[k][0] == w[0] && starts_with(w, left, CUE_STARTS[k]))
                return 1;
        return 0;
    default:
        return 0;
    }
}

/* Call ``fn(*args)`` and return the truth of its result (-1 on error); steals nothing. */
static int call_truth(PyObject *fn, PyObject *args)
{
    if (args == NULL)
        return -1;
    PyObject *result = PyObject_Call(fn, args, NULL);
    Py_DECREF(args);
    if (result == NULL)
        return -1;
    int truth = PyObject_IsTrue(result);
    Py_DECREF(result);
    return truth;
}

static inline int is_digit(char c) { return c >= '0' && c <= '9'; }
static inline int is_alnum(char c) { return is_letter(c) || is_digit(c); }
static inline int is_word_char(char c) { return is_alnum(c) || c == '_'; }
/* what ``\s`` matches in a str pattern, on ASCII */
static inline int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

/* numbers.IBAN_CANDIDATE.search(text) is not None:
 * (?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){10,32} */
static int iban_candidate(const char *s, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i + 4 <= n; i++) {
        if ((i > 0 && is_alnum(s[i - 1])) || !is_letter(s[i]) || !is_letter(s[i + 1]) ||
            !is_digit(s[i + 2]) || !is_digit(s[i + 3]))
            continue;
        Py_ssize_t p = i + 4, reps = 0;
        while (reps < 10) {
            if (p < n && is_alnum(s[p]))
                p += 1;
            else if (p + 1 < n && (s[p] == ' ' || s[p] == '-') && is_alnum(s[p + 1]))
                p += 2;
            else
                break;
            reps++;
        }
        if (reps >= 10)
            return 1;
    }
    return 0;
}

/* addresses._COMPOUND_HINT.search(lowered): a compound street suffix, an optional dot, spaces, a
 * digit ("Nassaustraat 5"); ``lb`` is the lowercase letters buffer (lb[i + 1] is s[i] lowered) */
static int compound_hint(const char *s, const char *lb, Py_ssize_t n)
{
    for (Py_ssize_t d = 1; d < n; d++) {
        if (!is_digit(s[d]) || s[d - 1] != ' ')
            continue;
        Py_ssize_t q = d - 1;
        while (q > 0 && s[q - 1] == ' ')
            q--;
        /* the suffix ends at q, or at q - 1 when a dot stands there */
        for (int dot = 0; dot <= 1; dot++) {
            Py_ssize_t end = q - dot;
            if (dot && (q < 1 || s[q - 1] != '.'))
                break;
            for (Py_ssize_t k = 0; k < N_COMPOUND_SUFFIXES; k++) {
                Py_ssize_t m = (Py_ssize_t)strlen(COMPOUND_SUFFIXES[k]);
                if (m <= end && memcmp(lb + 1 + end - m, COMPOUND_SUFFIXES[k], (size_t)m) == 0)
                    return 1;
            }
        }
    }
    return 0;
}

/* addresses._IS_AT.search(lowered): \bis\s+(?:at|on)\b */
static int is_at(const char *s, Py_ssize_t n)
{
    for (Py_ssize_t i = 0; i + 2 <= n; i++) {
        if (to_lower(s[i]) != 'i' || to_lower(s[i + 1]) != 's' || (i > 0 && is_word_char(s[i - 1])))
            continue;
        Py_ssize_t p = i + 2;
        if (p >= n || !is_space(s[p]))
            continue;
        while (p < n && is_space(s[p]))
            p++;
        if (p + 2 <= n &&
            ((to_lower(s[p]) == 'a' && to_lower(s[p + 1]) == 't') ||
             (to_lower(s[p]) == 'o' && to_lower(s[p + 1]) == 'n')) &&
            (p + 2 == n || !is_word_char(s[p + 2])))
            return 1;
    }
    return 0;
}

/* The flags of every word of the text (OR-ed) in the lowercase table, and whether "is" is one of
 * its words (``lb``: the letters buffer). cannot_hold gathers the same while reading the words. */
static unsigned char text_word_flags(const char *s, const char *lb, Py_ssize_t n, int *has_is)
{
    unsigned char flags = 0;
    *has_is = 0;
    for (Py_ssize_t i = 0; i < n;) {
        if (!is_letter(s[i])) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        while (j < n && is_letter(s[j]))
            j++;
        const char *w = lb + 1 + i;
        flags |= wordset_flags(&LOWER, w, j - i, fnv1a(w, j - i));
        if (j - i == 2 && w[0] == 'i' && w[1] == 's')
            *has_is = 1;
        i = j;
    }
    return flags;
}

/* prefilter.few_digits_are_harmless(text, text.lower(), n_digits), 1 <= n_digits < 7: no number
 * detector and no numbered address anchor can fire. ``digit_runs``: how many runs of digits the
 * text holds; ``word_flags`` and ``has_is``: what text_word_flags gives. -1: error. */
static int few_digits_harmless(const char *s, const char *lb, Py_ssize_t n, Py_ssize_t n_digits,
                               Py_ssize_t digit_runs, unsigned char word_flags, int has_is)
{
    PyObject *min_obj = PyObject_CallNoArgs(MIN_RULE_DIGITS);
    if (min_obj == NULL)
        return -1;
    Py_ssize_t min_digits = PyLong_AsSsize_t(min_obj);
    Py_DECREF(min_obj);
    if (min_digits == -1 && PyErr_Occurred())
        return -1;
    if (n_digits >= 7 || n_digits >= min_digits)
        return 0;
    if (memchr(s, ':', (size_t)n) != NULL || (n_digits >= 4 && memchr(s, '.', (size_t)n) != NULL))
        return 0;
    if (iban_candidate(s, n) || digit_runs >= 2)
        return 0;
    if ((n_digits >= 4 && (word_flags & CONTEXT_CUE)) ||
        (word_flags & (STREET_WORD | UNIT_WORD | ADDRESS_CUE)))
        return 0;
    if (has_is && is_at(s, n))
        return 0;
    return !compound_hint(s, lb, n);
}

/* 1: ``text`` cannot hold PII, 0: run the detectors, -1: error. ``text`` is an ASCII str. */
static int cannot_hold(PyObject *text)
{
    const char *s = (const char *)PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* the lowercase letters buffer with a leading space: lb[0] = ' ', lb[i + 1] <- s[i] */
    char stack_buffer[512];
    char *lb = n + 1 <= (Py_ssize_t)sizeof(stack_buffer) ? stack_buffer : PyMem_Malloc((size_t)n + 1);
    if (lb == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    int verdict = 1;
    Py_ssize_t n_digits = 0, digit_runs = 0, hyphen_or_apostrophe = 0, has_upper = 0;
    lb[0] = ' ';
    for (Py_ssize_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_lower(c)) {
            lb[i + 1] = c;
            continue;
        }
        if (is_upper(c)) {
            has_upper = 1;
            lb[i + 1] = (char)(c + 32);
            continue;
        }
        lb[i + 1] = ' ';
        if (c >= '0' && c <= '9') {
            n_digits++;
            if (i == 0 || !is_digit(s[i - 1]))
                digit_runs++;
        }
        else if (c == '-' || c == '\'')
            hyphen_or_apostrophe = 1;
        else if (c == '@')
            verdict = 0;
    }
    if (!verdict || n_digits >= 7) {
        if (lb != stack_buffer)
            PyMem_Free(lb);
        return 0;
    }
    int check_lower_names = 0, check_cue = 0, check_caps = 0, has_is = 0;
    unsigned char word_flags = 0; /* every word's flags, for few_digits_harmless */
    for (Py_ssize_t i = 0; i < n && verdict;) {
        if (!is_letter(s[i])) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        int word_upper = 0, word_all_upper = 1;
        /* FNV-1a of the word lowercased and as written, in the same pass */
        uint64_t h_low = 1469598103934665603ULL, h_cased = h_low;
        while (j < n && is_letter(s[j])) {
            if (is_upper(s[j]))
                word_upper = 1;
            else
                word_all_upper = 0;
            h_low = (h_low ^ (unsigned char)lb[j + 1]) * 1099511628211ULL;
            h_cased = (h_cased ^ (unsigned char)s[j]) * 1099511628211ULL;
            j++;
        }
        if (!check_cue)
            check_cue = cue_at(lb + 1 + i, n - i); /* prefilter._CUE_START at this word */
        const char *low = lb + 1 + i;
        Py_ssize_t len = j - i;
        /* " dot " in the text (a spoken e-mail): the word "dot" as written, a space either side */
        if (len == 3 && i > 0 && j < n && s[i - 1] == ' ' && s[j] == ' ' && s[i] == 'd' &&
            s[i + 1] == 'o' && s[i + 2] == 't')
            verdict = 0;
        /* "d.o.b" in the lowercased text: its "d" ends a word */
        if (j + 4 <= n && to_lower(s[j - 1]) == 'd' && s[j] == '.' && to_lower(s[j + 1]) == 'o' &&
            s[j + 2] == '.' && to_lower(s[j + 3]) == 'b')
            verdict = 0;
        unsigned char found = wordset_flags(&LOWER, low, len, h_low | 1);
        word_flags |= found;
        if (len == 2 && low[0] == 'i' && low[1] == 's')
            has_is = 1;
        if (found & TRIGGER)
            verdict = 0;
        else if (found & LOWER_NAME)
            check_lower_names = 1;
        if (word_upper) {
            unsigned char cased = wordset_flags(&CASED, s + i, len, h_cased | 1);
            if (cased & STREET_SUFFIX)
                verdict = 0; /* "Abbey Road" (a text with a capital letter) */
            else if (is_upper(s[i]) && !word_all_upper && !(cased & SAFE_CAP))
                check_caps = 1;
        }
        i = j;
    }
    if (verdict == 1 && n_digits)
        verdict = few_digits_harmless(s, lb, n, n_digits, digit_runs, word_flags, has_is);
    PyObject *lowered = NULL;
    if (verdict == 1 && (check_lower_names || check_cue)) {
        lowered = PyObject_CallMethod(text, "lower", NULL);
        if (lowered == NULL)
            verdict = -1;
    }
    if (verdict == 1 && check_lower_names) {
        /* the lowercase first names the text holds, each once */
        PyObject *hits = PyList_New(0);
        PyObject *seen = PySet_New(NULL);
        if (hits == NULL || seen == NULL)
            verdict = -1;
        for (Py_ssize_t i = 0; i < n && verdict == 1;) {
            if (!is_letter(s[i])) {
                i++;
                continue;
            }
            Py_ssize_t j = i;
            while (j < n && is_letter(s[j]))
                j++;
            if (wordset_flags(&LOWER, lb + 1 + i, j - i, fnv1a(lb + 1 + i, j - i)) & LOWER_NAME) {
                PyObject *word = PyUnicode_FromStringAndSize(lb + 1 + i, j - i);
                int fresh = word == NULL ? -1 : !PySet_Contains(seen, word);
                if (fresh < 0 || (fresh && (PySet_Add(seen, word) < 0 || PyList_Append(hits, word) < 0)))
                    verdict = -1;
                Py_XDECREF(word);
            }
            i = j;
        }
        if (verdict == 1) {
            int seeded = call_truth(LOWER_NAME_SEEDS, Py_BuildValue("(OOO)", text, lowered, hits));
            verdict = seeded < 0 ? -1 : !seeded;
        }
        Py_XDECREF(hits);
        Py_XDECREF(seen);
    }
    if (verdict == 1 && check_cue) {
        int seeded = call_truth(CUE_SEEDS, Py_BuildValue("(OO)", text, lowered));
        verdict = seeded < 0 ? -1 : !seeded;
    }
    if (verdict == 1 && has_upper) {
        if (hyphen_or_apostrophe) {
            /* "Anne-Marie", "O'Neil's": words joined by these are read whole, as the name pass does */
            verdict = !has_unusual_caps(s, n);
        } else if (check_caps) {
            verdict = 0; /* a capitalised word not known to be ordinary may be a name */
        }
    }
    Py_XDECREF(lowered);
    if (lb != stack_buffer)
        PyMem_Free(lb);
    return verdict;
}

static int require_configured(void)
{
    if (!CONFIGURED) {
        PyErr_SetString(PyExc_RuntimeError, "privacy._prefilter: configure() was not called");
        return -1;
    }
    return 0;
}

static PyObject *py_cannot_hold_pii(PyObject *self, PyObject *text)
{
    if (require_configured() < 0)
        return NULL;
    if (!PyUnicode_Check(text) || !PyUnicode_IS_ASCII(text)) {
        PyErr_SetString(PyExc_TypeError, "cannot_hold_pii: an ASCII str is needed");
        return NULL;
    }
    int verdict = cannot_hold(text);
    if (verdict < 0)
        return NULL;
    return PyBool_FromLong(verdict);
}

/* may_hold_pii_many(texts): [not cannot_hold_pii(t)] with non-ASCII texts suspect. */
static PyObject *py_may_hold_pii_many(PyObject *self, PyObject *texts)
{
    if (require_configured() < 0)
        return NULL;
    PyObject *seq = PySequence_Fast(texts, "may_hold_pii_many: a sequence of str is needed");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(n);
    if (out == NULL) {
        Py_DECREF(seq);
        return NULL;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *text = PySequence_Fast_GET_ITEM(seq, k);
        int suspect;
        if (!PyUnicode_Check(text)) {
            PyErr_Format(PyExc_TypeError, "may_hold_pii_many: item %zd is a %.80s, not a str", k,
                         Py_TYPE(text)->tp_name);
            Py_DECREF(out);
            Py_DECREF(seq);
            return NULL;
        }
        if (!PyUnicode_IS_ASCII(text) || PyUnicode_GET_LENGTH(text) == 0) {
            suspect = PyUnicode_GET_LENGTH(text) != 0;
        } else {
            int verdict = cannot_hold(text);
            if (verdict < 0) {
                Py_DECREF(out);
                Py_DECREF(seq);
                return NULL;
            }
            suspect = !verdict;
        }
        PyObject *flag = suspect ? Py_True : Py_False;
        Py_INCREF(flag);
        PyList_SET_ITEM(out, k, flag);
    }
    Py_DECREF(seq);
    return out;
}

static int build_suffixes(PyObject *iterable)
{
    PyObject *items = PySequence_List(iterable);
    if (items == NULL)
        return -1;
    Py_ssize_t n = PyList_GET_SIZE(items);
    char **fresh = PyMem_Calloc((size_t)n + 1, sizeof(char *));
    if (fresh == NULL) {
        Py_DECREF(items);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        char *data;
        Py_ssize_t len;
        if (PyBytes_AsStringAndSize(PyList_GET_ITEM(items, k), &data, &len) < 0 ||
            (fresh[k] = PyMem_Malloc((size_t)len + 1)) == NULL) {
            for (Py_ssize_t j = 0; j < k; j++)
                PyMem_Free(fresh[j]);
            PyMem_Free(fresh);
            Py_DECREF(items);
            if (!PyErr_Occurred())
                PyErr_NoMemory();
            return -1;
        }
        memcpy(fresh[k], data, (size_t)len);
        fresh[k][len] = '\0';
    }
    Py_DECREF(items);
    for (Py_ssize_t j = 0; j < N_COMPOUND_SUFFIXES; j++)
        PyMem_Free(COMPOUND_SUFFIXES[j]);
    PyMem_Free(COMPOUND_SUFFIXES);
    COMPOUND_SUFFIXES = fresh;
    N_COMPOUND_SUFFIXES = n;
    return 0;
}

static PyObject *py_configure(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"triggers", "lower_names", "safe_caps", "street_suffixes",
                            "context_cues", "street_words", "unit_gate", "address_cues",
                            "compound_suffixes", "min_rule_digits", "lower_name_seeds",
                            "cue_seeds", NULL};
    PyObject *triggers, *lower_names, *safe_caps, *street_suffixes, *context_cues, *street_words,
        *unit_gate, *address_cues, *compound_suffixes, *min_rule_digits, *lower_seeds, *cues;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "$OOOOOOOOOOOO", names, &triggers, &lower_names,
                                     &safe_caps, &street_suffixes, &context_cues, &street_words,
                                     &unit_gate, &address_cues, &compound_suffixes, &min_rule_digits,
                                     &lower_seeds, &cues))
        return NULL;
    if (!PyCallable_Check(min_rule_digits) || !PyCallable_Check(lower_seeds) || !PyCallable_Check(cues)) {
        PyErr_SetString(PyExc_TypeError, "configure: min_rule_digits, lower_name_seeds and cue_seeds must be callables");
        return NULL;
    }
    PyObject *lower_sets[6] = {triggers, lower_names, context_cues, street_words, unit_gate, address_cues};
    static const unsigned char lower_flags[6] = {TRIGGER, LOWER_NAME, CONTEXT_CUE, STREET_WORD, UNIT_WORD, ADDRESS_CUE};
    PyObject *cased_sets[2] = {safe_caps, street_suffixes};
    static const unsigned char cased_flags[2] = {SAFE_CAP, STREET_SUFFIX};
    if (wordset_build(&LOWER, lower_sets, lower_flags, 6) < 0 ||
        wordset_build(&CASED, cased_sets, cased_flags, 2) < 0 || build_suffixes(compound_suffixes) < 0)
        return NULL;
    Py_INCREF(min_rule_digits);
    Py_INCREF(lower_seeds);
    Py_INCREF(cues);
    Py_XSETREF(MIN_RULE_DIGITS, min_rule_digits);
    Py_XSETREF(LOWER_NAME_SEEDS, lower_seeds);
    Py_XSETREF(CUE_SEEDS, cues);
    CONFIGURED = 1;
    Py_RETURN_NONE;
}

/* few_digits_are_harmless(text, n_digits) on an ASCII str, for the differential tests */
static PyObject *py_few_digits_are_harmless(PyObject *self, PyObject *args)
{
    PyObject *text;
    Py_ssize_t n_digits;
    if (require_configured() < 0 || !PyArg_ParseTuple(args, "Un", &text, &n_digits))
        return NULL;
    if (!PyUnicode_IS_ASCII(text)) {
        PyErr_SetString(PyExc_TypeError, "few_digits_are_harmless: an ASCII str is needed");
        return NULL;
    }
    const char *s = (const char *)PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    char *lb = PyMem_Malloc((size_t)n + 1);
    if (lb == NULL)
        return PyErr_NoMemory();
    lb[0] = ' ';
    for (Py_ssize_t i = 0; i < n; i++)
        lb[i + 1] = is_letter(s[i]) ? to_lower(s[i]) : ' ';
    Py_ssize_t digit_runs = 0;
    for (Py_ssize_t i = 0; i < n; i++)
        if (is_digit(s[i]) && (i == 0 || !is_digit(s[i - 1])))
            digit_runs++;
    int has_is;
    unsigned char word_flags = text_word_flags(s, lb, n, &has_is);
    int harmless = few_digits_harmless(s, lb, n, n_digits, digit_runs, word_flags, has_is);
    PyMem_Free(lb);
    if (harmless < 0)
        return NULL;
    return PyBool_FromLong(harmless);
}

static PyMethodDef METHODS[] = {
    {"configure", (PyCFunction)(void (*)(void))py_configure, METH_VARARGS | METH_KEYWORDS,
     "configure(*, triggers, lower_names, safe_caps, street_suffixes, context_cues, street_words, "
     "unit_gate, address_cues, compound_suffixes, min_rule_digits, lower_name_seeds, cue_seeds): "
     "the word sets (bytes) and the callbacks."},
    {"few_digits_are_harmless", py_few_digits_are_harmless, METH_VARARGS,
     "few_digits_are_harmless(text, n_digits): prefilter.few_digits_are_harmless on an ASCII str."},
    {"cannot_hold_pii", py_cannot_hold_pii, METH_O,
     "cannot_hold_pii(text): True when no detector can find anything in the ASCII str text."},
    {"may_hold_pii_many", py_may_hold_pii_many, METH_O,
     "may_hold_pii_many(texts): for each str, whether the detectors must run (non-ASCII: True)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "privacy._prefilter",
                                    "The compiled quick reject of privacy.prefilter.", -1, METHODS};

PyMODINIT_FUNC PyInit__prefilter(void) { return PyModule_Create(&MODULE); }
