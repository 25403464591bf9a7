"""Writes: each public function is one transaction and refuses bad input before writing."""
