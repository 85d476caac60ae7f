"""The content script's world, as the DevTools protocol sees a page's execution contexts."""

from tests.browser.waiting import pause


class ContentScriptWorld:
    """What the DevTools protocol sees of a page's execution contexts: whether the extension's
    isolated world (where its content script runs) exists in the page's main frame, and what
    the content script's per-document state holds there.

    Chrome makes that world only when one of the extension's scripts is put into the
    document, so its absence proves that nothing of the extension ran in the page.
    """

    GUARD = "__ssiCompanionContentScript"

    def __init__(self, page, ext_id: str):
        self.origin = f"chrome-extension://{ext_id}"
        self.contexts: dict[int, dict] = {}
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.on("Runtime.executionContextCreated", self._created)
        self.cdp.on("Runtime.executionContextDestroyed", self._destroyed)
        self.cdp.on("Runtime.executionContextsCleared", lambda _: self.contexts.clear())
        self.cdp.send("Runtime.enable")  # also reports the contexts that exist already
        self.main_frame = self.cdp.send("Page.getFrameTree")["frameTree"]["frame"]["id"]

    def _created(self, event):
        context = event["context"]
        self.contexts[context["id"]] = context

    def _destroyed(self, event):
        self.contexts.pop(event.get("executionContextId"), None)

    def extension_contexts(self) -> list[dict]:
        return [
            c
            for c in self.contexts.values()
            if c.get("origin") == self.origin
            and c.get("auxData", {}).get("frameId") == self.main_frame
        ]

    def state(self) -> dict | None:
        """The content script's state in this document, or None when it never ran here."""
        pause(0)  # deliver the protocol's pending events
        contexts = self.extension_contexts()
        if not contexts:
            return None
        [context] = contexts
        answer = self.cdp.send(
            "Runtime.evaluate",
            {
                # A copy that JSON can carry (the state holds a function too).
                "expression": f"JSON.parse(JSON.stringify(globalThis.{self.GUARD} ?? null))",
                "contextId": context["id"],
                "returnByValue": True,
            },
        )
        return answer["result"].get("value")
