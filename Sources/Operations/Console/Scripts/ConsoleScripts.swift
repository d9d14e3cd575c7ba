/// The console's scripts: plain JavaScript modules (ES modules, no framework, no build step), served as they are at
/// `/console/NAME.js`; the page loads `app.js`, which imports the rest. One module per view, and three they share.
enum ConsoleScripts {
    static let all: [String: String] = [
        "app.js": app,
        "common.js": common,
        "metrics.js": metrics,
        "lists.js": lists,
        "overview.js": overview,
        "models.js": models,
        "user.js": user,
        "item.js": item,
        "instances.js": instances,
        "evaluation.js": evaluation,
    ]
}
