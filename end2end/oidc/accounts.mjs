// The test OpenID provider's accounts (see provider.mjs). Every password is PASSWORD.
//
// Citizens carry FranceConnect's claim set (birthdate YYYY-MM-DD, INSEE birthplace and
// birthcountry codes, preferred_username = nom d'usage, "" when there is none). Agents carry
// the claims a commune's or the syndicate's single sign-on gives: email, names and `groups`.
//
// `maxAcr` is the highest eIDAS level the account can reach: the ID token's `acr` is the first
// requested `acr_values` entry at or below it (eidas1 when none is requested, `maxAcr` when none
// of the requested ones is reachable, so a relying party that checks `acr` sees the shortfall).

export const PASSWORD = 'motdepasse';

export const ACCOUNTS = {
  // Citizens.
  angela: {
    maxAcr: 'eidas3',
    claims: {
      given_name: 'Angela Claire Louise',
      family_name: 'DUBOIS',
      preferred_username: '',
      birthdate: '1962-08-24',
      birthplace: '75107',
      birthcountry: '99100',
      gender: 'female',
      email: 'wossewodda-3728@yopmail.com',
    },
  },
  jean: {
    maxAcr: 'eidas2',
    claims: {
      given_name: 'Jean',
      family_name: 'MARTIN',
      preferred_username: 'DURAND',
      birthdate: '1980-02-29',
      birthplace: '44109',
      birthcountry: '99100',
      gender: 'male',
      email: 'jean.martin@example.org',
    },
  },
  // Same email as a local account the tests may create (linking after proving the password).
  claire: {
    maxAcr: 'eidas1',
    claims: {
      given_name: 'Claire',
      family_name: 'LEROY',
      preferred_username: '',
      birthdate: '1991-05-12',
      birthplace: '44162',
      birthcountry: '99100',
      gender: 'female',
      email: 'claire.local@example.org',
    },
  },
  // Agents (single sign-on to the back office).
  'agent.reze': {
    maxAcr: 'eidas1',
    claims: {
      given_name: 'Paul',
      family_name: 'LEGRAND',
      email: 'agent.reze@example.org',
      groups: ['guichet-agents', 'etat-civil'],
    },
  },
  'manager.syndicat': {
    maxAcr: 'eidas1',
    claims: {
      given_name: 'Sophie',
      family_name: 'BERNARD',
      email: 'manager.syndicat@example.org',
      groups: ['guichet-managers'],
    },
  },
  'admin.syndicat': {
    maxAcr: 'eidas1',
    claims: {
      given_name: 'Marc',
      family_name: 'PETIT',
      email: 'admin.syndicat@example.org',
      groups: ['guichet-admins'],
    },
  },
  stranger: {
    maxAcr: 'eidas1',
    claims: {
      given_name: 'Inès',
      family_name: 'INCONNUE',
      email: 'stranger@example.org',
      groups: [],
    },
  },
};
