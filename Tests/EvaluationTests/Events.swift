import Recommender

/// An event at `seconds` of event time (the evaluation suites' shorthand).
func event(_ user: String, _ item: String, _ behavior: Behavior, at seconds: Int64, category: String? = nil)
    -> BehaviorEvent
{
    BehaviorEvent(userId: user, itemId: item, behavior: behavior, timestamp: seconds * 1_000, categoryId: category)
}
