"""The crisis screen: rules, an embedding classifier and risk across turns, then its replies."""
