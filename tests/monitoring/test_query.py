"""Listening queries: parsed with clear errors, matched as a lead expects, rendered for X's search."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.query import And, Not, Or, QueryError, Term, matches, parse, to_x


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("afval", Term("afval")),
        ("afval container", And((Term("afval"), Term("container")))),
        ("afval AND container", And((Term("afval"), Term("container")))),
        ("afval OR vuilnis", Or((Term("afval"), Term("vuilnis")))),
        ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),  # AND binds tighter
        ("a (b OR c)", And((Term("a"), Or((Term("b"), Term("c")))))),
        ("afval NOT ajax", And((Term("afval"), Not(Term("ajax"))))),
        ("afval -ajax", And((Term("afval"), Not(Term("ajax"))))),
        ('"Ajax Amsterdam"', Term("ajax amsterdam", "phrase")),
        ("#GemeenteAmsterdam", Term("gemeenteamsterdam", "hashtag")),
        ("@AmsterdamNL", Term("amsterdamnl", "handle")),
        ("Straße", Term("strasse")),  # normalised like the texts
    ],
)
def test_parsing(query, tree):
    assert parse(query) == tree


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("", "leeg"),
        ("afval AND", "houdt op"),
        ("(afval OR vuilnis", "niet gesloten"),
        ('"afval', "aanhalingsteken"),
        ("afval )", "“\\)”"),
        ("NOT ajax", "niet alleen"),
        ("x" * 513, "512"),
        ('""', "aanhalingstekens"),
    ],
)
def test_mistakes_are_explained(query, where):
    with pytest.raises(QueryError, match=where):
        parse(query)


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("afval", "De afvalcontainer is vol", True),  # a compound starts with the word
        ("container", "De afvalcontainer is vol", False),  # but not in the middle of one
        ("vuilnis OR afval", "Vuilniswagen niet geweest", True),
        ("afval -ajax", "Afval overal na de wedstrijd van Ajax", False),
        ('"ajax amsterdam"', "Ajax Amsterdam wint weer", True),
        ('"ajax amsterdam"', "Amsterdam en Ajax", False),
        ("#afval", "Weer vol! #afval #amsterdam", True),
        ("#afval", "Het afval ligt overal", False),  # a hashtag is a hashtag
        ("@gemeenteamsterdam", "@GemeenteAmsterdam doe er wat aan", True),
        ("gemeente", "@GemeenteAmsterdam doe er wat aan", True),  # and its words are words
        ("lantaarnpaal kapot", "De LANTAARNPAAL is kapót", True),
        ("(lamp OR lantaarnpaal) kapot NOT auto", "lamp kapot", True),
        ("(lamp OR lantaarnpaal) kapot NOT auto", "autolamp kapot", False),
    ],
)
def test_matching(query, text, expected):
    assert matches(parse(query), text) is expected


@pytest.mark.parametrize(
    ("query", "x"),
    [
        ("afval container", "afval container"),
        ("afval OR vuilnis", "afval OR vuilnis"),
        ("a b OR c", "(a b) OR c"),
        ("a (b OR c) -d", "a (b OR c) -d"),
        ('"ajax amsterdam" -#ajax', '"ajax amsterdam" -#ajax'),
        ("NOT (a b) c", "-(a b) c"),
        ("@AmsterdamNL OR #gemeenteamsterdam", "@amsterdamnl OR #gemeenteamsterdam"),
    ],
)
def test_x_syntax(query, x):
    assert to_x(parse(query)) == x


words = st.sampled_from(["afval", "container", "ajax", '"ajax amsterdam"', "#afval", "@gemeente", "kapot"])
queries = st.recursive(
    words,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(" AND ".join),
        st.tuples(inner, inner).map(" OR ".join),
        inner.map(lambda q: f"({q})"),
        st.tuples(words, inner).map(lambda pair: f"{pair[0]} -({pair[1]})"),
    ),
    max_leaves=8,
)


@given(queries)
def test_the_x_rendering_reads_back_as_the_same_query(query):
    tree = parse(query)
    assert parse(to_x(tree)) == tree or matches_same(tree, parse(to_x(tree)))


def matches_same(first, second) -> bool:
    samples = [
        "afval container",
        "ajax amsterdam afval",
        "#afval kapot",
        "@gemeente afval",
        "container kapot",
        "",
    ]
    return all(matches(first, text) == matches(second, text) for text in samples)


@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused_clearly(text):
    try:
        parse(text)
    except QueryError as error:
        assert str(error)
