"""Metric functions over the warehouse views, one module per domain; pages, exports and bulletins call these.

All SQL is constant text with bound parameters; every actual is summed from the unit-keyed facts
(v_unit_facts) in board.metrics.facts. Money in 万元, foreign capital in 万美元, counts in their unit.
"""
