// Recommender: events, features, ranking.
