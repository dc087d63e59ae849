-- The arena's own database beside Temporal's (which the schema job creates).
CREATE DATABASE arena;
