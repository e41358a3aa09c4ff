import type { Messages } from "./ja";

/** English UI text. Typed against the Japanese dictionary, so a missing key fails the typecheck. */
export const en: Messages = {
  meta: {
    siteName: "Koepon!",
    title: "Koepon! — voice and art gacha from VTubers",
    description:
      "Voice clips, art and videos delivered by VTubers themselves, as gacha. Pay in yen per pull; every rate is published before you buy.",
  },
  layout: {
    skipToContent: "Skip to content",
    homeLink: "Koepon! home",
    logo: "Koepon!",
    logoSub: "こえポン！",
    mainNav: "Main menu",
    nav: { home: "Home", vtubers: "VTubers", campaigns: "Gacha now on" },
    legalNav: "Legal",
    languageNav: "Language",
    copyright: "© Koepon! (こえポン！)",
  },
  language: { ja: "日本語", en: "English" },
  home: {
    heroTitle: "Your oshi's voice, one pull at a time.",
    heroLead:
      "Voice clips, art and videos delivered by VTubers themselves. Pay in yen per pull; every rate is published before you buy.",
    vtubersHeading: "VTubers",
    vtubersEmpty: "No VTubers are live yet.",
    campaignsHeading: "Gacha now on",
    campaignsEmpty: "No gacha is running right now.",
    singlePull: "Single",
    tenPull: "10-pull",
    taxIncluded: "tax incl.",
    tenthGuaranteed: "The 10th pull of a 10-pull is SR or better",
    endsAt: (date: string) => `Until ${date}`,
    metaSeparator: "·",
  },
  loading: "Loading…",
  notFound: {
    title: "Page not found",
    body: "The page you are looking for may have moved or been removed.",
    backHome: "Back to the home page",
  },
  legal: {
    updatedLabel: "Last updated",
    translationNotice:
      "This English translation is provided for convenience. If it differs from the Japanese version, the Japanese version prevails.",
    demoNotice:
      "These details belong to a demo environment. Items without configured operator details show placeholders.",
    unset: "(not set in this demo environment)",
    tokushoho: {
      title: "Specified Commercial Transactions Act disclosure",
      updated: "November 1, 2026",
      labels: {
        seller: "Seller",
        representative: "Responsible manager",
        address: "Address",
        phone: "Phone",
        email: "Email",
        price: "Prices",
        extraFees: "Other charges",
        paymentMethod: "Payment method",
        paymentTiming: "When you pay",
        delivery: "Delivery",
        cancellation: "Returns and cancellation",
        environment: "Supported environment",
        odds: "Drop rates",
        minors: "Minors",
      },
      values: {
        phoneOnRequest: "Disclosed without delay on request. Please contact us by email.",
        price:
          "Shown tax included on each gacha before you buy (standard: single ¥100, 10-pull ¥1,000). No prepaid currency is sold.",
        extraFees: "Internet connection and data charges needed to use the service are borne by you.",
        paymentMethod: "Credit card (processed by Stripe)",
        paymentTiming: "You are charged when you confirm a pull.",
        delivery:
          "Results are shown as soon as the payment completes, and the content you win is available in your reward box immediately.",
        cancellation:
          "Because the content is digital, purchases cannot be cancelled, returned or refunded once confirmed, except where the law requires it, for example when we fail to deliver the content through our fault.",
        environment: "The latest Google Chrome, Safari, Firefox or Microsoft Edge, with JavaScript and cookies enabled",
        odds: "Each gacha's drop rates are published on its rates page before you buy, and never change without notice.",
        minors:
          "Minors need a guardian's consent. Monthly spending is capped per calendar month in Japan time: ¥5,000 under 16, ¥10,000 at 16–17.",
      },
    },
    terms: {
      title: "Terms of Service",
      updated: "November 1, 2026",
      intro:
        'These terms set out the conditions for using Koepon! (the "Service"), provided by the operator of Koepon! ("we"). By using the Service you agree to these terms.',
      sections: [
        {
          heading: "Article 1 (Accounts)",
          paragraphs: [
            "Keep your registration details accurate and up to date. We ask for your date of birth so that the right spending cap applies.",
            "You are responsible for keeping your password secret.",
          ],
        },
        {
          heading: "Article 2 (Minors)",
          paragraphs: [
            "Minors may use the Service only with the consent of a parent or other legal guardian.",
            "Spending is capped per calendar month in Japan time (¥5,000 under 16, ¥10,000 at 16–17). Adults may set a lower cap of their own.",
          ],
        },
        {
          heading: "Article 3 (Buying gacha pulls)",
          paragraphs: [
            "Each pull is paid for in Japanese yen. We do not sell any prepaid currency.",
            "Each gacha's drop rates are published before purchase and never change without notice; a change is published as a new version. The 10th pull of a 10-pull is drawn from a separate table that holds only SR and SSR items.",
            'We offer no rewards for completing a set of items (so-called "kompu gacha").',
          ],
        },
        {
          heading: "Article 4 (Oshi medals)",
          paragraphs: [
            "Each pull grants medals of that VTuber. Medals cannot be bought, cashed out or transferred, and can be spent only in that VTuber's exchange.",
          ],
        },
        {
          heading: "Article 5 (Using the content)",
          paragraphs: [
            "Copyright and other rights in the content stay with the VTuber or the rightful owner. You may enjoy it for personal viewing and listening only; copying, redistribution, public transmission and commercial use are not allowed.",
          ],
        },
        {
          heading: "Article 6 (Prohibited conduct)",
          paragraphs: [
            "Acts that break the law or public order, unauthorised access, using another person's account or payment method, reposting content without permission, and interfering with the Service are prohibited.",
          ],
        },
        {
          heading: "Article 7 (Cancellation and refunds)",
          paragraphs: [
            "Confirmed purchases cannot be cancelled or refunded except where the law requires it. See the Specified Commercial Transactions Act disclosure for details.",
          ],
        },
        {
          heading: "Article 8 (Changes and suspension)",
          paragraphs: [
            "We may suspend all or part of the Service temporarily for maintenance or to deal with failures.",
          ],
        },
        {
          heading: "Article 9 (Liability)",
          paragraphs: [
            "Except in cases of our wilful misconduct or gross negligence, our liability for damage arising from the Service is limited to the amount the user paid on the Service in the month the damage occurred.",
          ],
        },
        {
          heading: "Article 10 (Changes to these terms)",
          paragraphs: ["Before changing these terms, we announce the change and its effective date on the Service."],
        },
        {
          heading: "Article 11 (Governing law and jurisdiction)",
          paragraphs: [
            "These terms are governed by Japanese law. The Tokyo District Court has exclusive jurisdiction in the first instance over disputes about the Service.",
          ],
        },
      ],
    },
    privacy: {
      title: "Privacy Policy",
      updated: "November 1, 2026",
      intro:
        'The operator of Koepon! ("we") follows the Act on the Protection of Personal Information and other laws, and handles your personal information as follows.',
      sections: [
        {
          heading: "1. What we collect",
          paragraphs: [
            "Email address, display name, date of birth and password (only a hash of it is stored).",
            "Your purchase, draw and exchange history, and payment details. Card numbers are held by the payment processor, never by us.",
            "Access information such as IP address, browser type, time of access and request id.",
          ],
        },
        {
          heading: "2. Why we use it",
          paragraphs: [
            "To provide your account and verify you, take payments and deliver what you bought, apply the spending cap for your age, prevent fraud and keep the Service secure, answer your enquiries, produce statistics that do not identify you to improve the Service, and meet legal obligations.",
          ],
        },
        {
          heading: "3. Cookies",
          paragraphs: [
            "We use cookies to keep you signed in and to remember your language. We use no advertising cookies. We may use Vercel Web Analytics, which works without cookies, to measure traffic.",
          ],
        },
        {
          heading: "4. Sharing and service providers",
          paragraphs: [
            "We do not give personal data to third parties without your consent, except where the law requires it.",
            "We entrust some work to service providers, such as payments (Stripe), hosting (Vercel) and database and file storage (Supabase). Some of them are outside Japan, for example in the United States, so your data may be handled abroad. We choose providers that take appropriate security measures and supervise them.",
          ],
        },
        {
          heading: "5. Security",
          paragraphs: [
            "We protect personal data with password hashing, encrypted connections, least-privilege access and row-level access control in the database.",
          ],
        },
        {
          heading: "6. Retention",
          paragraphs: [
            "We keep your data while your account exists and, after you leave, only as long as the law requires (for example transaction records), then delete it.",
          ],
        },
        {
          heading: "7. Your rights",
          paragraphs: [
            "To ask for disclosure, correction, suspension of use or deletion of your personal data, contact us at the address below. We will verify your identity and respond as the law requires.",
          ],
        },
        {
          heading: "8. Changes",
          paragraphs: ["We announce changes to this policy on this page."],
        },
      ],
      contactHeading: "Contact",
    },
  },
};
