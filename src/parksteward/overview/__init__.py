"""The park's overview: the numbers a park director asks for every morning (issue 7, item 7)."""
