import React, { useMemo } from "react";
import DOMPurify from "dompurify";

export function Comment({ comment }: { comment: { body: string } }) {
  // ruleid: js-xss-react-dangerously-set-inner-html
  return <div className="comment" dangerouslySetInnerHTML={{ __html: comment.body }} />;
}

export function Bio(props) {
  const html = marked(props.bio);
  // ruleid: js-xss-react-dangerously-set-inner-html
  return <section dangerouslySetInnerHTML={{ __html: html }}></section>;
}

export function SafeComment({ comment }) {
  // ok: js-xss-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.body) }} />;
}

export function SafeBio({ bio }: Props): JSX.Element {
  const clean = DOMPurify.sanitize(marked(bio));
  // ok: js-xss-react-dangerously-set-inner-html
  return <section dangerouslySetInnerHTML={{ __html: clean }} />;
}

export function Memo({ html }) {
  const sanitizedHtml = useMemo(() => DOMPurify.sanitize(html), [html]);
  // ok: js-xss-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={{ __html: sanitizedHtml }} />;
}

export function Static() {
  // ok: js-xss-react-dangerously-set-inner-html
  return <div dangerouslySetInnerHTML={{ __html: "<br/>" }} />;
}

export function JsonLd({ data }) {
  // ok: js-xss-react-dangerously-set-inner-html
  return <script type="application/ld+json" dangerouslySetInnerHTML={{ __html: JSON.stringify(data) }} />;
}
