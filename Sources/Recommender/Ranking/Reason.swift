/// Why an entry is in a list, kept as its parts. The sentence is written only where a list is written (its JSON,
/// `text` for the API and the console), so ranking makes no String per listed entry: an interpolated reason was
/// about one in seven of a feed's allocations in the 50 000-item workload.
public enum Reason: Sendable, Equatable {
    /// "viewed similar: i42" — CF, through the user's strongest seed.
    case similar(to: String, Behavior)
    /// "similar to your recent items"
    case similarToRecent
    /// "in your cart: i9"
    case inCart(String)
    /// "goes with your cart"
    case goesWithCart
    /// "popular in c7, 40% of your recent interest"
    case popularIn(category: String?, percentOfInterest: Int)
    /// "trending in c7"
    case trendingIn(String)
    /// A similar item: "often viewed together with i42"
    case viewedTogether(with: String)
    /// "trending now"
    case trendingNow
    /// "popular across the catalogue right now"
    case popularOverall
    /// A topic: "40% of your recent interest"
    case interestShare(percent: Int)
    /// A topic: "trending: among the fastest rising this window" / "trending: rising this window"
    case risingTopic(fastest: Bool)
    /// A creator: "40% of what you engaged with"
    case engagementShare(percent: Int)
    /// "trending creator"
    case trendingCreator
    /// Any other sentence.
    case text(String)

    /// A piece of the sentence: the program's own text, run-time text (ids), or a number.
    enum Part {
        case literal(StaticString)
        case text(String)
        case number(Int)
    }

    func parts(_ visit: (Part) -> Void) {
        switch self {
        case .similar(let itemId, let behavior):
            visit(.literal(behavior.pastTense))
            visit(.literal(" similar: "))
            visit(.text(itemId))
        case .similarToRecent: visit(.literal("similar to your recent items"))
        case .inCart(let itemId):
            visit(.literal("in your cart: "))
            visit(.text(itemId))
        case .goesWithCart: visit(.literal("goes with your cart"))
        case .popularIn(let category, let percent):
            visit(.literal("popular in "))
            if let category { visit(.text(category)) } else { visit(.literal("?")) }
            visit(.literal(", "))
            visit(.number(percent))
            visit(.literal("% of your recent interest"))
        case .trendingIn(let category):
            visit(.literal("trending in "))
            visit(.text(category))
        case .viewedTogether(let itemId):
            visit(.literal("often viewed together with "))
            visit(.text(itemId))
        case .trendingNow: visit(.literal("trending now"))
        case .popularOverall: visit(.literal("popular across the catalogue right now"))
        case .interestShare(let percent):
            visit(.number(percent))
            visit(.literal("% of your recent interest"))
        case .risingTopic(let fastest):
            visit(.literal(fastest ? "trending: among the fastest rising this window" : "trending: rising this window"))
        case .engagementShare(let percent):
            visit(.number(percent))
            visit(.literal("% of what you engaged with"))
        case .trendingCreator: visit(.literal("trending creator"))
        case .text(let text): visit(.text(text))
        }
    }

    /// The sentence a product team can show or log.
    public var text: String {
        var text = ""
        parts { part in
            switch part {
            case .literal(let literal): text += literal.description
            case .text(let run): text += run
            case .number(let number): text += String(number)
            }
        }
        return text
    }

    /// A share in 0...1 as the whole percent a reason shows.
    static func percent(_ share: Double) -> Int { Int((share * 100).rounded()) }
}

extension JSONWriter {
    /// The reason's sentence as a JSON string, written from its parts (ids escaped, the program's text copied).
    public mutating func value(_ reason: Reason) {
        beginString()
        reason.parts { part in
            switch part {
            case .literal(let literal): appendUnescaped(literal)
            case .text(let run): appendEscaped(run)
            case .number(let number): appendUnescaped(number)
            }
        }
        endString()
    }
}

extension Behavior {
    /// For reasons: "viewed similar: i42".
    var pastTense: StaticString {
        switch self {
        case .view: "viewed"
        case .click: "clicked"
        case .favorite: "liked"
        case .cart: "carted"
        case .purchase: "bought"
        }
    }
}
