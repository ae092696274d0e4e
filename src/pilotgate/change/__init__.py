"""Change management: change plans per use case and user population, their items, and adoption beside them."""
