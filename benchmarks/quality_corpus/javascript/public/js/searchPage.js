/* global DOMPurify */
(function () {
  'use strict';

  const params = new URLSearchParams(window.location.search);
  const query = params.get('q') || '';

  function renderHeading() {
    const heading = document.getElementById('search-heading');
    heading.innerHTML = 'Results for <b>' + query + '</b>'; // VULN: xss
  }

  function renderSubtitle() {
    const subtitle = document.getElementById('search-subtitle');
    subtitle.textContent = 'You searched for ' + query; // SAFE: xss
  }

  function renderResults(results) {
    const list = document.getElementById('results');
    list.innerHTML = '';
    for (const item of results) {
      const li = document.createElement('li');
      const link = document.createElement('a');
      link.href = '/products/' + encodeURIComponent(item.id);
      link.textContent = item.name; // SAFE: xss
      li.appendChild(link);
      list.appendChild(li);
    }
  }

  function renderReviews(reviews) {
    const container = document.getElementById('reviews');
    reviews.forEach((r) => {
      // review bodies are written by other shoppers
      container.insertAdjacentHTML('beforeend', `<article class="review"><h4>${r.author}</h4><p>${r.body}</p></article>`); // VULN: xss
    });
  }

  function renderSellerBio(bioHtml) {
    document.getElementById('seller-bio').innerHTML = DOMPurify.sanitize(bioHtml); // SAFE: xss
  }

  function renderPromoBanner() {
    const promo = decodeURIComponent(window.location.hash.slice(1));
    if (promo) {
      document.write('<div class="promo">' + promo + '</div>'); // VULN: xss
    }
  }

  function renderEmptyState() {
    document.getElementById('results').innerHTML = '<li class="empty">No results yet. Try another search.</li>'; // SAFE: xss
  }

  function followReturnLink() {
    const back = params.get('return');
    if (back) {
      window.location.href = back; // VULN: open-redirect
    }
  }

  function followSafeReturnLink() {
    const back = params.get('return') || '/';
    const target = new URL(back, window.location.origin);
    if (target.origin === window.location.origin) {
      window.location.assign(target.href); // SAFE: open-redirect
    }
  }

  async function load() {
    renderHeading();
    renderSubtitle();
    renderPromoBanner();
    if (!query) return renderEmptyState();
    const res = await fetch('/api/search?q=' + encodeURIComponent(query));
    const data = await res.json();
    renderResults(data.results);
    renderReviews(data.reviews);
    renderSellerBio(data.sellerBio);
    document.getElementById('back').addEventListener('click', params.get('strict') ? followSafeReturnLink : followReturnLink);
  }

  document.addEventListener('DOMContentLoaded', load);
})();
