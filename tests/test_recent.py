from tracuu.recent import Recent


def test_recent_keeps_the_newest_entries():
    """A new key past the size drops the oldest put; a key put again drops nothing."""
    kept = Recent(3)
    for k in "abcd":
        kept[k] = k.upper()
    assert list(kept.items()) == [("b", "B"), ("c", "C"), ("d", "D")]
    kept["c"] = "c2"  # already there: nothing dropped
    assert kept == {"b": "B", "c": "c2", "d": "D"}
    kept["e"] = "E"
    assert list(kept) == ["c", "d", "e"] and kept.get("b") is None
