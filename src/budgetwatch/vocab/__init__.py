"""The domain's vocabulary, each name said once: table kinds (kinds.py), column keys (columns.py), the
说明's claim kinds (claims.py), the enumerations with their Chinese labels (enums.py), money units and
total-row names (units.py), the 功能分类 类 (classes.py).

This package imports nothing else of budgetwatch, so every layer (read, extract, store, checks, analysis,
web) can read it; tests/test_vocab.py fails when one of these sets is written out again elsewhere."""
