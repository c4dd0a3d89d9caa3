"""Full-screen terminal interfaces (Textual): the count room's entry screen."""
