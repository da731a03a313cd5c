/* The orchestration of privacy.detect.detect_all, compiled, for ASCII texts.
 *
 * What the Python function does between the detectors — one lowercasing, the spoken-number and
 * birth-cue gates, the digit count, the map back from normalised offsets, trimming each span —
 * is done here; the detectors themselves are called through their public Python functions
 * (which go on to their own compiled twins), given at configure(). Same spans as the Python
 * reference for every ASCII str (tests/unit/privacy/test_accel.py compares them on the
 * development corpora and generated texts).
 */
#define _GNU_SOURCE /* memmem */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_wordset.h"

static WordSet SPOKEN, DOB_CUES;
static PyObject *NORMALISE, *NORMALISED_IS_CLEAN, *EMAILS, *SPOKEN_EMAILS, *NUMBERS, *DATES,
    *ADDRESSES, *NAMES, *RESOLVE, *SPAN;
static PyObject *STR_TEXT, *STR_SEG_STARTS, *STR_TO_ORIGINAL, *KW_NUMBERS, *KW_ADDRESSES,
    *KW_NORMALISE;
static int CONFIGURED = 0;

static inline int is_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static inline int is_strip(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ';' || c == ':' ||
           c == '.' || c == '-';
}

/* A new ASCII str: ``s`` lowercased (the same length, as lower_same_length gives on ASCII). */
static PyObject *ascii_lower(const char *s, Py_ssize_t n)
{
    PyObject *out = PyUnicode_New(n, 127);
    if (out == NULL)
        return NULL;
    char *d = (char *)PyUnicode_DATA(out);
    for (Py_ssize_t i = 0; i < n; i++)
        d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
    return out;
}

/* Whether a letter run of the lowercase ``low`` is in ``set``. */
static int has_word_in(const char *low, Py_ssize_t n, const WordSet *set)
{
    for (Py_ssize_t i = 0; i < n;) {
        if (!is_letter(low[i])) {
            i++;
            continue;
        }
        Py_ssize_t j = i;
        while (j < n && is_letter(low[j]))
            j++;
        if (wordset_has(set, low + i, j - i))
            return 1;
        i = j;
    }
    return 0;
}

/* Extend ``found`` with the list ``result`` returns (a new reference, stolen; NULL: error). */
static int extend(PyObject *found, PyObject *result)
{
    if (result == NULL)
        return -1;
    int rc = 0;
    if (PyList_CheckExact(result)) {
        Py_ssize_t n = PyList_GET_SIZE(result);
        for (Py_ssize_t k = 0; k < n && rc == 0; k++)
            rc = PyList_Append(found, PyList_GET_ITEM(result, k));
    } else {
        PyObject *iter = PyObject_GetIter(result);
        PyObject *item;
        if (iter == NULL)
            rc = -1;
        while (rc == 0 && iter != NULL && (item = PyIter_Next(iter)) != NULL) {
            rc = PyList_Append(found, item);
            Py_DECREF(item);
        }
        Py_XDECREF(iter);
        if (PyErr_Occurred())
            rc = -1;
    }
    Py_DECREF(result);
    return rc;
}

/* Span(start, end, *span[2:]) */
static PyObject *span_at(PyObject *span, Py_ssize_t start, Py_ssize_t end)
{
    if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 5) {
        PyErr_SetString(PyExc_TypeError, "detect_all: a detector returned something not a Span");
        return NULL;
    }
    PyObject *args[5];
    args[0] = PyLong_FromSsize_t(start);
    args[1] = PyLong_FromSsize_t(end);
    if (args[0] == NULL || args[1] == NULL) {
        Py_XDECREF(args[0]);
        Py_XDECREF(args[1]);
        return NULL;
    }
    args[2] = PyTuple_GET_ITEM(span, 2);
    args[3] = PyTuple_GET_ITEM(span, 3);
    args[4] = PyTuple_GET_ITEM(span, 4);
    PyObject *out = PyObject_Vectorcall(SPAN, args, 5, NULL);
    Py_DECREF(args[0]);
    Py_DECREF(args[1]);
    return out;
}

static int span_bounds(PyObject *span, Py_ssize_t *start, Py_ssize_t *end)
{
    if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 5) {
        PyErr_SetString(PyExc_TypeError, "detect_all: a detector returned something not a Span");
        return -1;
    }
    *start = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 0));
    *end = PyLong_AsSsize_t(PyTuple_GET_ITEM(span, 1));
    if ((*start == -1 || *end == -1) && PyErr_Occurred())
        return -1;
    return 0;
}

/* The detectors on the (normalised) text ``t``; the spans found, on ``t``. */
static PyObject *run_detectors(PyObject *t, PyObject *lowered, PyObject *region)
{
    const char *s = (const char *)PyUnicode_DATA(t);
    const char *low = (const char *)PyUnicode_DATA(lowered);
    Py_ssize_t n = PyUnicode_GET_LENGTH(t);
    PyObject *found = PyList_New(0);
    if (found == NULL)
        return NULL;
    if (memchr(s, '@', (size_t)n) != NULL && extend(found, PyObject_CallOneArg(EMAILS, t)) < 0)
        goto error;
    if (n >= 5 && memmem(s, (size_t)n, " dot ", 5) != NULL &&
        extend(found, PyObject_CallOneArg(SPOKEN_EMAILS, t)) < 0)
        goto error;
    Py_ssize_t n_digits = 0, digit_runs = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            n_digits++;
            if (i == 0 || s[i - 1] < '0' || s[i - 1] > '9')
                digit_runs++;
        }
    }
    if (n_digits) {
        /* detect_numbers(t, region=region, lowered=lowered, n_digits=n_digits, words=None) */
        PyObject *count = PyLong_FromSsize_t(n_digits);
        if (count == NULL)
            goto error;
        PyObject *args[5] = {t, region, lowered, count, Py_None};
        PyObject *result = PyObject_Vectorcall(NUMBERS, args, 1, KW_NUMBERS);
        Py_DECREF(count);
        if (extend(found, result) < 0)
            goto error;
    }
    /* may_hold_date_of_birth: a birth cue word; detect_dates_of_birth looks for the cue itself */
    if (has_word_in(low, n, &DOB_CUES)) {
        PyObject *args[2] = {t, lowered};
        if (extend(found, PyObject_Vectorcall(DATES, args, 2, NULL)) < 0)
            goto error;
    }
    {
        /* detect_addresses(t, lowered, words=None, digit_runs=digit_runs) */
        PyObject *runs = PyLong_FromSsize_t(digit_runs);
        if (runs == NULL)
            goto error;
        PyObject *args[4] = {t, lowered, Py_None, runs};
        PyObject *result = PyObject_Vectorcall(ADDRESSES, args, 2, KW_ADDRESSES);
        Py_DECREF(runs);
        if (extend(found, result) < 0)
            goto error;
    }
    {
        PyObject *args[3] = {t, lowered, Py_None};
        if (extend(found, PyObject_Vectorcall(NAMES, args, 3, NULL)) < 0)
            goto error;
    }
    return found;
error:
    Py_DECREF(found);
    return NULL;
}

/* detect_all(text, region, second_look) for an ASCII str. */
static PyObject *py_detect_all(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (!CONFIGURED) {
        PyErr_SetString(PyExc_RuntimeError, "privacy._detect: configure() was not called");
        return NULL;
    }
    if (nargs != 3 || !PyUnicode_Check(args[0]) || !PyUnicode_IS_ASCII(args[0])) {
        PyErr_SetString(PyExc_TypeError, "detect_all(text, region, second_look): an ASCII str is needed");
        return NULL;
    }
    PyObject *text = args[0], *region = args[1];
    int second_look = PyObject_IsTrue(args[2]);
    if (second_look < 0)
        return NULL;
    const char *s = (const char *)PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n == 0)
        return PyList_New(0);
    PyObject *lowered = ascii_lower(s, n);
    if (lowered == NULL)
        return NULL;
    PyObject *t = text, *lowered_t = lowered, *norm = NULL, *to_original = NULL;
    PyObject *found = NULL, *out = NULL;
    Py_INCREF(t);
    Py_INCREF(lowered_t);
    if (has_word_in((const char *)PyUnicode_DATA(lowered), n, &SPOKEN)) {
        /* normalise(text, checked=True, lowered=lowered) */
        PyObject *nargs_[3] = {text, Py_True, lowered};
        norm = PyObject_Vectorcall(NORMALISE, nargs_, 1, KW_NORMALISE);
        if (norm == NULL)
            goto done;
        PyObject *seg_starts = PyObject_GetAttr(norm, STR_SEG_STARTS);
        if (seg_starts == NULL)
            goto done;
        int changed = seg_starts != Py_None;
        Py_DECREF(seg_starts);
        if (changed) {
            PyObject *new_t = PyObject_GetAttr(norm, STR_TEXT);
            if (new_t == NULL)
                goto done;
            if (!PyUnicode_Check(new_t) || !PyUnicode_IS_ASCII(new_t)) {
                Py_DECREF(new_t);
                PyErr_SetString(PyExc_TypeError, "detect_all: normalise gave a text that is not ASCII");
                goto done;
            }
            Py_SETREF(t, new_t);
            Py_SETREF(lowered_t, ascii_lower((const char *)PyUnicode_DATA(t), PyUnicode_GET_LENGTH(t)));
            if (lowered_t == NULL)
                goto done;
            if (second_look) {
                PyObject *cargs[3] = {t, lowered_t, Py_None};
                PyObject *clean = PyObject_Vectorcall(NORMALISED_IS_CLEAN, cargs, 3, NULL);
                if (clean == NULL)
                    goto done;
                int is_clean = PyObject_IsTrue(clean);
                Py_DECREF(clean);
                if (is_clean < 0)
                    goto done;
                if (is_clean) {
                    out = PyList_New(0);
                    goto done;
                }
            }
            to_original = PyObject_GetAttr(norm, STR_TO_ORIGINAL);
            if (to_original == NULL)
                goto done;
        }
    }
    found = run_detectors(t, lowered_t, region);
    if (found == NULL)
        goto done;
    if (PyList_GET_SIZE(found) == 0) {
        out = found;
        found = NULL;
        goto done;
    }
    if (to_original != NULL) {
        /* offsets back on the original text */
        Py_ssize_t m = PyList_GET_SIZE(found);
        for (Py_ssize_t k = 0; k < m; k++) {
            PyObject *span = PyList_GET_ITEM(found, k);
            if (!PyTuple_Check(span) || PyTuple_GET_SIZE(span) != 5) {
                PyErr_SetString(PyExc_TypeError, "detect_all: a detector returned something not a Span");
                goto done;
            }
            PyObject *margs[2] = {PyTuple_GET_ITEM(span, 0), PyTuple_GET_ITEM(span, 1)};
            PyObject *bounds = PyObject_Vectorcall(to_original, margs, 2, NULL);
            if (bounds == NULL)
                goto done;
            Py_ssize_t start, end;
            if (!PyTuple_Check(bounds) || PyTuple_GET_SIZE(bounds) != 2) {
                Py_DECREF(bounds);
                PyErr_SetString(PyExc_TypeError, "detect_all: to_original gave no (start, end)");
                goto done;
            }
            start = PyLong_AsSsize_t(PyTuple_GET_ITEM(bounds, 0));
            end = PyLong_AsSsize_t(PyTuple_GET_ITEM(bounds, 1));
            Py_DECREF(bounds);
            if ((start == -1 || end == -1) && PyErr_Occurred())
                goto done;
            PyObject *moved = span_at(span, start, end);
            if (moved == NULL)
                goto done;
            PyList_SetItem(found, k, moved); /* steals moved, drops the old span */
        }
    }
    PyObject *resolved;
    if (PyList_GET_SIZE(found) > 1) {
        resolved = PyObject_CallOneArg(RESOLVE, found);
        if (resolved == NULL)
            goto done;
        if (!PyList_Check(resolved)) {
            Py_SETREF(resolved, PySequence_List(resolved));
            if (resolved == NULL)
                goto done;
        }
    } else {
        resolved = found;
        Py_INCREF(resolved);
    }
    /* trim separators off each span, on the original text; drop spans that were only those */
    out = PyList_New(0);
    if (out != NULL) {
        Py_ssize_t m = PyList_GET_SIZE(resolved);
        for (Py_ssize_t k = 0; k < m; k++) {
            PyObject *span = PyList_GET_ITEM(resolved, k);
            Py_ssize_t start, end;
            if (span_bounds(span, &start, &end) < 0) {
                Py_CLEAR(out);
                break;
            }
            /* text[start:end] with Python's slice clamping */
            Py_ssize_t a = start < 0 ? (start + n < 0 ? 0 : start + n) : (start > n ? n : start);
            Py_ssize_t b = end < 0 ? (end + n < 0 ? 0 : end + n) : (end > n ? n : end);
            if (b < a)
                b = a;
            Py_ssize_t lo = a, hi = b;
            while (lo < hi && is_strip(s[lo]))
                lo++;
            while (hi > lo && is_strip(s[hi - 1]))
                hi--;
            if (lo == hi)
                continue;
            int rc;
            if (lo == a && hi == b) {
                rc = PyList_Append(out, span);
            } else {
                PyObject *trimmed = span_at(span, start + (lo - a), start + (lo - a) + (hi - lo));
                rc = trimmed == NULL ? -1 : PyList_Append(out, trimmed);
                Py_XDECREF(trimmed);
            }
            if (rc < 0) {
                Py_CLEAR(out);
                break;
            }
        }
    }
    Py_DECREF(resolved);
done:
    Py_XDECREF(found);
    Py_XDECREF(to_original);
    Py_XDECREF(norm);
    Py_DECREF(t);
    Py_DECREF(lowered_t);
    Py_DECREF(lowered);
    return out;
}

static PyObject *py_configure(PyObject *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {"spoken_words", "dob_cue_words", "normalise", "normalised_is_clean",
                            "emails", "spoken_emails", "detect_numbers", "detect_dates_of_birth",
                            "detect_addresses", "detect_names", "resolve", "span", NULL};
    PyObject *spoken, *dob, *fns[10];
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "$OOOOOOOOOOOO", names, &spoken, &dob, &fns[0],
                                     &fns[1], &fns[2], &fns[3], &fns[4], &fns[5], &fns[6], &fns[7],
                                     &fns[8], &fns[9]))
        return NULL;
    for (int k = 0; k < 10; k++) {
        if (!PyCallable_Check(fns[k])) {
            PyErr_Format(PyExc_TypeError, "configure: %s must be callable", names[k + 2]);
            return NULL;
        }
    }
    static const unsigned char one_set[1] = {1};
    if (wordset_build(&SPOKEN, &spoken, one_set, 1) < 0 || wordset_build(&DOB_CUES, &dob, one_set, 1) < 0)
        return NULL;
    PyObject **slots[10] = {&NORMALISE, &NORMALISED_IS_CLEAN, &EMAILS, &SPOKEN_EMAILS, &NUMBERS,
                            &DATES, &ADDRESSES, &NAMES, &RESOLVE, &SPAN};
    for (int k = 0; k < 10; k++) {
        Py_INCREF(fns[k]);
        Py_XSETREF(*slots[k], fns[k]);
    }
    CONFIGURED = 1;
    Py_RETURN_NONE;
}

static PyMethodDef METHODS[] = {
    {"configure", (PyCFunction)(void (*)(void))py_configure, METH_VARARGS | METH_KEYWORDS,
     "configure(*, spoken_words, dob_cue_words, normalise, normalised_is_clean, emails, "
     "spoken_emails, detect_numbers, detect_dates_of_birth, detect_addresses, detect_names, "
     "resolve, span)"},
    {"detect_all", (PyCFunction)(void (*)(void))py_detect_all, METH_FASTCALL,
     "detect_all(text, region, second_look): privacy.detect.detect_all on an ASCII str."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef MODULE = {PyModuleDef_HEAD_INIT, "privacy._detect",
                                    "The compiled orchestration of privacy.detect.detect_all.", -1,
                                    METHODS};

PyMODINIT_FUNC PyInit__detect(void)
{
    STR_TEXT = PyUnicode_InternFromString("text");
    STR_SEG_STARTS = PyUnicode_InternFromString("seg_starts");
    STR_TO_ORIGINAL = PyUnicode_InternFromString("to_original");
    KW_NUMBERS = Py_BuildValue("(ssss)", "region", "lowered", "n_digits", "words");
    KW_ADDRESSES = Py_BuildValue("(ss)", "words", "digit_runs");
    KW_NORMALISE = Py_BuildValue("(ss)", "checked", "lowered");
    if (STR_TEXT == NULL || STR_SEG_STARTS == NULL || STR_TO_ORIGINAL == NULL || KW_NUMBERS == NULL ||
        KW_ADDRESSES == NULL || KW_NORMALISE == NULL)
        return NULL;
    return PyModule_Create(&MODULE);
}
