"""Example input for the complexity analyzer (tests use max CCN 5, max length 12 NLOC)."""


def simple(a, b):
    return a + b


def classify(n):  # CCN 7: cyclomatic-complexity (low); 14 NLOC: function-length
    if n < 0:
        return "negative"
    if n == 0:
        return "zero"
    if n < 10:
        return "small"
    if n < 100:
        return "medium"
    if n < 1000:
        return "large"
    if n < 10000:
        return "huge"
    return "enormous"
