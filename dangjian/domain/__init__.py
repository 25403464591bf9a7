"""The pure domain: no peewee, no clock.

Identity numbers, rosters, development arithmetic, work calendars, and the policies
every write path calls.
"""
