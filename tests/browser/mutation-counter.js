// Put first in a served LinkedIn page (before its own scripts) by the Chromium and the Firefox
// tests alike: counts every mutation of the document from document start, and in
// `__mutationsAfterParse` only those after the parser is done (its own insertions count too).
(() => {
  window.__mutations = 0;
  window.__mutationsAfterParse = 0;
  window.__mutationLog = [];
  let parsed = false;
  const count = (records) => {
    window.__mutations += records.length;
    if (!parsed) return;
    window.__mutationsAfterParse += records.length;
    for (const r of records) window.__mutationLog.push(
      r.type + ' ' + r.target.nodeName + ' ' + (r.attributeName || ''));
  };
  const observer = new MutationObserver(count);
  observer.observe(document, {subtree: true, childList: true, attributes: true,
                              characterData: true, attributeOldValue: true});
  document.addEventListener('DOMContentLoaded', () => {
    count(observer.takeRecords());
    parsed = true;
  });
})();
