const libxmljs = require("libxmljs2");

router.post("/import", (req, res) => {
  // ruleid: js-xxe-libxml-noent
  const doc = libxmljs.parseXml(req.body, { noent: true });
  res.json({ root: doc.root().name() });
});

function parseFeed(xml) {
  const parserOptions = { dtdload: true, noblanks: true };
  // ruleid: js-xxe-libxml-noent
  return libxmljs.parseXmlString(xml, parserOptions);
}

router.post("/import/v2", (req, res) => {
  // ok: js-xxe-libxml-noent
  const doc = libxmljs.parseXml(req.body, { nonet: true });
  res.json({ root: doc.root().name() });
});

function parsePlain(xml) {
  // ok: js-xxe-libxml-noent
  return libxmljs.parseXmlString(xml);
}
