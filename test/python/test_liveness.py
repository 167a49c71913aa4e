"""The liveness walk on hand-made steps, checked against counts worked out
by hand."""

from vtile.planner.liveness import Step, live_bytes, spans

# a -> b -> c, with `x` a function input read by b, and b's tile buffers.
CHAIN = [Step(("a",), ("x",)), Step(("b",), ("a", "x"), during=5), Step(("c",), ("b",))]
SIZES = {"x": 1000, "a": 100, "b": 10, "c": 1}


def test_a_value_lives_from_its_writer_to_its_last_reader():
    assert spans(CHAIN) == {"x": (0, 1), "a": (0, 1), "b": (1, 2), "c": (2, 2)}


def test_a_held_value_lives_to_the_end():
    assert spans(CHAIN, held=("a", "unknown")) == {"x": (0, 1), "a": (0, 2), "b": (1, 2),
                                                    "c": (2, 2)}


def test_live_bytes_add_up_each_step_and_its_scratch():
    assert live_bytes(CHAIN, SIZES) == [1000 + 100, 1000 + 100 + 10 + 5, 10 + 1]


def test_a_value_without_a_size_is_not_counted():
    assert live_bytes(CHAIN, {"b": 10}) == [0, 15, 10]


def test_a_shared_storage_holds_its_largest_live_value():
    # b written over a (in place), c a view of b: one storage.
    storage = {"x": "input", "a": "s", "b": "s", "c": "s"}
    assert live_bytes(CHAIN, SIZES, storage=storage) == [1000 + 100, 1000 + 100 + 5, 10]


def test_given_spans_replace_the_walks_own():
    lived = {"a": (0, 0), "c": (1, 2)}
    assert live_bytes(CHAIN, SIZES, lived) == [100, 1 + 5, 1]
