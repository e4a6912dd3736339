import React, { useEffect, useRef, useState } from 'react';
import DOMPurify from 'dompurify';
import { marked } from 'marked';

export interface Comment {
  id: string;
  author: string;
  bodyHtml: string;
  bodyMarkdown: string;
}

export function CommentBody({ comment }: { comment: Comment }) {
  return <div className="comment-body" dangerouslySetInnerHTML={{ __html: comment.bodyHtml }} />; // VULN: xss
}

export function SafeCommentBody({ comment }: { comment: Comment }) {
  return <div className="comment-body" dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(comment.bodyHtml) }} />; // SAFE: xss
}

export function MarkdownComment({ comment }: { comment: Comment }) {
  const html = marked.parse(comment.bodyMarkdown) as string;
  return <div className="comment-md" dangerouslySetInnerHTML={{ __html: html }} />; // VULN: xss
}

export function SafeMarkdownComment({ comment }: { comment: Comment }) {
  const clean = DOMPurify.sanitize(marked.parse(comment.bodyMarkdown) as string, { USE_PROFILES: { html: true } });
  return <div className="comment-md" dangerouslySetInnerHTML={{ __html: clean }} />; // SAFE: xss
}

export function CommentAuthor({ comment }: { comment: Comment }) {
  return <span className="author">{comment.author}</span>; // SAFE: xss
}

export function SearchBanner() {
  const [term, setTerm] = useState('');
  const banner = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    setTerm(params.get('q') ?? '');
    if (banner.current) {
      banner.current.innerHTML = `Showing results for <em>${params.get('q') ?? ''}</em>`; // VULN: xss
    }
  }, []);

  return (
    <div>
      <div ref={banner} />
      <p className="hint">Searching for: {term}</p>
    </div>
  );
}

export function ReturnLink() {
  const [href, setHref] = useState('/');
  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    const next = params.get('next');
    if (next) window.location.assign(next); // VULN: open-redirect
    setHref('/');
  }, []);
  return <a href={href}>Back</a>;
}

export function Announcement({ html }: { html: string }) {
  // `html` comes from the CMS build step (static markdown in the repo), not from users.
  const STATIC_NOTICE = '<strong>Scheduled maintenance</strong> on Sunday 02:00-04:00 UTC.';
  return <aside dangerouslySetInnerHTML={{ __html: html || STATIC_NOTICE }} />;
}

export function StatusNotice() {
  return <div className="status" dangerouslySetInnerHTML={{ __html: '<strong>All systems operational</strong>' }} />; // SAFE: xss
}
