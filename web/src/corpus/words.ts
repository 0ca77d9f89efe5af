// words.ts: the word lists of the built-in story corpus (names, animals, places, things, foods,
// colours, feelings). All written for this project. Keep them plain ASCII letters and spaces so
// the corpus alphabet stays small; words starting with a vowel letter take "an" except those in
// A_NOT_AN, and "an" before a consonant letter only for AN_NOT_A (see articleFor).

export const GIRL_NAMES = [
  'Lily', 'Mia', 'Anna', 'Sue', 'Emma', 'Zoe', 'Ruby', 'Ella', 'Rosa', 'Nora', 'Ivy', 'Maya',
  'Lucy', 'Kate', 'Jane', 'Amy', 'Grace', 'Hana', 'Olive', 'Daisy', 'Poppy', 'Wendy', 'Tina',
  'Nina', 'Bella', 'Clara', 'Fern', 'June', 'Layla', 'Vera', 'Yara', 'Quinn',
] as const;

export const BOY_NAMES = [
  'Tom', 'Ben', 'Sam', 'Max', 'Leo', 'Jack', 'Finn', 'Noah', 'Eli', 'Owen', 'Jake', 'Theo',
  'Luke', 'Milo', 'Ravi', 'Omar', 'Kai', 'Hugo', 'Ned', 'Dan', 'Tim', 'Bob', 'Zack', 'Adam',
  'Felix', 'Oscar', 'Pete', 'Victor', 'Will', 'Gus', 'Ian', 'Xavi',
] as const;

/** Names for animal characters (either he or she). */
export const PET_NAMES = [
  'Pip', 'Bo', 'Nutmeg', 'Pepper', 'Button', 'Sunny', 'Biscuit', 'Whiskers', 'Fluffy', 'Dot',
  'Tuck', 'Patch', 'Coco', 'Bean', 'Pebble', 'Hazel', 'Mango', 'Clover', 'Ziggy', 'Acorn',
  'Maple', 'Puddle', 'Sprout', 'Tilly',
] as const;

export interface AnimalDef {
  one: string;
  many: string;
}

const animal = (one: string, many = one + 's'): AnimalDef => ({ one, many });

export const ANIMALS: readonly AnimalDef[] = [
  animal('fox', 'foxes'), animal('bunny', 'bunnies'), animal('bear'), animal('cat'),
  animal('puppy', 'puppies'), animal('kitten'), animal('duck'), animal('mouse', 'mice'),
  animal('squirrel'), animal('owl'), animal('frog'), animal('pig'), animal('lamb'),
  animal('hedgehog'), animal('turtle'), animal('elephant'), animal('otter'), animal('goat'),
  animal('hen'), animal('deer', 'deer'), animal('raccoon'), animal('penguin'), animal('badger'),
  animal('ant'), animal('beaver'), animal('koala'), animal('unicorn'),
];

/** Small animals that can appear in the background or need help. */
export const CRITTERS = [
  'bird', 'squirrel', 'duck', 'frog', 'butterfly', 'bee', 'rabbit', 'snail', 'ladybug', 'robin',
  'worm', 'owl', 'mouse', 'kitten', 'puppy', 'chick', 'beetle', 'dragonfly',
] as const;

/** Adjectives that go before a hero's kind in an introduction ("a curious fox named Pip"). */
export const INTRO_ADJS = [
  'little', 'small', 'happy', 'kind', 'curious', 'brave', 'shy', 'cheerful', 'clever', 'gentle',
  'playful', 'busy', 'sleepy', 'silly', 'friendly', 'young',
] as const;

export interface PlaceDef {
  id: string;
  /** "the park" */
  the: string;
  /** "in the park" */
  in: string;
  /** For titles: "Park" */
  title: string;
  indoor: boolean;
  /** Has a tall tree that things can get stuck in. */
  tree: boolean;
  /** Big enough to get lost in. */
  big: boolean;
  /** Sentence templates that describe the place. */
  sights: readonly string[];
}

export const PLACES: readonly PlaceDef[] = [
  { id: 'park', the: 'the park', in: 'in the park', title: 'Park', indoor: false, tree: true, big: false,
    sights: ['The grass was soft and green.', 'Ducks swam on the little pond.', 'The swings went up and down in the wind.'] },
  { id: 'woods', the: 'the woods', in: 'in the woods', title: 'Woods', indoor: false, tree: true, big: true,
    sights: ['Tall trees stood all around.', 'Birds sang high in the branches.', 'The path was covered with brown leaves.'] },
  { id: 'garden', the: 'the garden', in: 'in the garden', title: 'Garden', indoor: false, tree: true, big: false,
    sights: ['Red and yellow flowers grew everywhere.', 'Bees buzzed from flower to flower.', 'A small apple tree stood by the fence.'] },
  { id: 'beach', the: 'the beach', in: 'at the beach', title: 'Beach', indoor: false, tree: false, big: true,
    sights: ['The sand was warm and soft.', 'Big waves rolled onto the shore.', 'Seagulls flew over the blue water.'] },
  { id: 'farm', the: 'the farm', in: 'on the farm', title: 'Farm', indoor: false, tree: true, big: true,
    sights: ['Cows ate grass in the field.', 'There was a big red barn.', 'Hens pecked at the ground near the gate.'] },
  { id: 'meadow', the: 'the meadow', in: 'in the meadow', title: 'Meadow', indoor: false, tree: true, big: true,
    sights: ['The meadow was full of tall grass and tiny flowers.', 'Butterflies danced in the sun.', 'A little stream ran past an old oak tree.'] },
  { id: 'hill', the: 'the big hill', in: 'on the big hill', title: 'Hill', indoor: false, tree: true, big: false,
    sights: ['From the top, you could see the whole town.', 'The wind was cool and fresh.', 'One old tree stood at the very top.'] },
  { id: 'lake', the: 'the lake', in: 'by the lake', title: 'Lake', indoor: false, tree: true, big: true,
    sights: ['The water was calm and shiny.', 'Frogs jumped from stone to stone.', 'A small boat was tied to the dock.'] },
  { id: 'town', the: 'the town square', in: 'in the town square', title: 'Town', indoor: false, tree: false, big: true,
    sights: ['People walked by with bags and baskets.', 'A fountain splashed in the middle.', 'The shops had bright windows.'] },
  { id: 'market', the: 'the market', in: 'at the market', title: 'Market', indoor: false, tree: false, big: true,
    sights: ['There were stalls full of fruit and bread.', 'A man was selling warm buns.', 'It was busy and loud.'] },
  { id: 'playground', the: 'the playground', in: 'at the playground', title: 'Playground', indoor: false, tree: true, big: false,
    sights: ['There was a tall slide and a sandbox.', 'Children laughed on the swings.', 'A big tree gave cool shade.'] },
  { id: 'backyard', the: 'the backyard', in: 'in the backyard', title: 'Backyard', indoor: false, tree: true, big: false,
    sights: ['There was a swing on the old tree.', 'The grass needed a cut.', 'A little bird bath stood by the fence.'] },
  { id: 'kitchen', the: 'the kitchen', in: 'in the kitchen', title: 'Kitchen', indoor: true, tree: false, big: false,
    sights: ['The kitchen smelled of warm bread.', 'Pots and pans hung on the wall.', 'The sun shone through the window.'] },
  { id: 'bedroom', the: 'the bedroom', in: 'in the bedroom', title: 'Bedroom', indoor: true, tree: false, big: false,
    sights: ['The bed had a soft blue blanket.', 'Toys were all over the floor.', 'A small lamp glowed by the bed.'] },
  { id: 'school', the: 'school', in: 'at school', title: 'School', indoor: true, tree: false, big: false,
    sights: ['The classroom had bright pictures on the walls.', 'The teacher smiled at everyone.', 'There were books on every shelf.'] },
  { id: 'library', the: 'the library', in: 'at the library', title: 'Library', indoor: true, tree: false, big: false,
    sights: ['It was very quiet.', 'There were books about stars and ships.', 'A big clock ticked on the wall.'] },
];

export interface ThingDef {
  noun: string;
  /** Adjectives the thing can have; colours are added when `colored`. */
  adjs: readonly string[];
  colored: boolean;
  /** fly: can blow away or get stuck up high; toy: can be played with; break: can break. */
  tags: readonly ('fly' | 'toy' | 'break')[];
}

export const THINGS: readonly ThingDef[] = [
  { noun: 'kite', adjs: ['big', 'new'], colored: true, tags: ['fly', 'toy', 'break'] },
  { noun: 'ball', adjs: ['bouncy', 'big', 'small'], colored: true, tags: ['fly', 'toy'] },
  { noun: 'hat', adjs: ['funny', 'new', 'floppy'], colored: true, tags: ['fly'] },
  { noun: 'balloon', adjs: ['shiny', 'big'], colored: true, tags: ['fly', 'toy'] },
  { noun: 'scarf', adjs: ['warm', 'long', 'soft'], colored: true, tags: ['fly'] },
  { noun: 'paper plane', adjs: ['fast', 'little'], colored: true, tags: ['fly', 'toy', 'break'] },
  { noun: 'toy boat', adjs: ['little', 'wooden'], colored: true, tags: ['toy', 'break'] },
  { noun: 'toy car', adjs: ['fast', 'little', 'shiny'], colored: true, tags: ['toy', 'break'] },
  { noun: 'teddy bear', adjs: ['soft', 'old', 'fluffy'], colored: false, tags: ['toy', 'break'] },
  { noun: 'doll', adjs: ['little', 'old', 'pretty'], colored: false, tags: ['toy', 'break'] },
  { noun: 'robot', adjs: ['little', 'shiny', 'funny'], colored: false, tags: ['toy', 'break'] },
  { noun: 'toy train', adjs: ['long', 'wooden', 'little'], colored: true, tags: ['toy', 'break'] },
  { noun: 'umbrella', adjs: ['big', 'spotty'], colored: true, tags: ['fly', 'break'] },
  { noun: 'drum', adjs: ['little', 'loud'], colored: true, tags: ['toy', 'break'] },
  { noun: 'wagon', adjs: ['little', 'old'], colored: true, tags: ['toy', 'break'] },
  { noun: 'shell', adjs: ['pretty', 'shiny', 'tiny'], colored: false, tags: ['toy'] },
  { noun: 'cup', adjs: ['little', 'favorite'], colored: true, tags: ['break'] },
  { noun: 'book', adjs: ['old', 'big', 'new'], colored: false, tags: ['break'] },
  { noun: 'crown', adjs: ['shiny', 'paper', 'golden'], colored: false, tags: ['fly', 'toy', 'break'] },
  { noun: 'jar of marbles', adjs: ['heavy', 'little'], colored: false, tags: ['toy', 'break'] },
];

export const COLORS = [
  'red', 'blue', 'green', 'yellow', 'orange', 'purple', 'pink', 'white', 'black', 'brown',
] as const;

export interface FoodDef {
  one: string;
  many: string;
}

const food = (one: string, many = one + 's'): FoodDef => ({ one, many });

export const FOODS: readonly FoodDef[] = [
  food('apple'), food('cookie'), food('cupcake'), food('pear'), food('banana'), food('muffin'),
  food('sandwich', 'sandwiches'), food('orange'), food('carrot'), food('berry', 'berries'),
  food('egg'), food('plum'), food('peach', 'peaches'), food('bun'), food('pancake'),
  food('cherry', 'cherries'),
];

/** Good feelings, for "felt ..." and "was so ...". */
export const GOOD_FEELINGS = ['happy', 'glad', 'proud', 'excited', 'joyful', 'thankful'] as const;
/** Bad feelings. */
export const BAD_FEELINGS = ['sad', 'upset', 'worried', 'unhappy', 'gloomy'] as const;
/** "One sunny morning". */
export const DAY_WORDS = ['sunny', 'bright', 'warm', 'windy', 'cloudy', 'cool', 'quiet', 'lovely'] as const;
export const DAY_TIMES = ['morning', 'afternoon', 'day', 'evening'] as const;

export const INDOOR_SPOTS = [
  'under the bed', 'behind the big chair', 'in the toy box', 'under a soft pillow', 'inside a boot',
  'on top of a shelf', 'in the laundry basket', 'under the table', 'behind the door', 'in a cupboard',
] as const;

export const OUTDOOR_SPOTS = [
  'under a pile of leaves', 'behind a big rock', 'in the tall grass', 'under a bush',
  'next to the old fence', 'in a muddy puddle', 'inside a hollow log', 'under a bench',
  'behind a tree', 'in a flower bed',
] as const;

/** Grown-up helpers for human heroes: [name, pronoun]. */
export const HUMAN_HELPERS: readonly (readonly [string, 'he' | 'she'])[] = [
  ['Mom', 'she'], ['Dad', 'he'], ['Grandma', 'she'], ['Grandpa', 'he'], ['Aunt May', 'she'],
  ['Uncle Ted', 'he'], ['Miss Green', 'she'], ['Mr Brown', 'he'],
];

/** Grown-up helpers for animal heroes; "Mama" etc. are followed by the hero's kind. */
export const ANIMAL_HELPER_TITLES: readonly (readonly [string, 'he' | 'she'])[] = [
  ['Mama', 'she'], ['Papa', 'he'], ['Grandma', 'she'], ['Grandpa', 'he'],
];
export const WISE_HELPERS: readonly (readonly [string, 'he' | 'she'])[] = [
  ['the wise old owl', 'he'], ['the old turtle', 'she'], ['the kind elephant', 'she'],
];

/** Words that start with a vowel letter but take "a". */
export const A_NOT_AN = ['uni', 'use', 'usu', 'eu', 'one', 'once'] as const;
/** Words that start with a consonant letter but take "an". */
export const AN_NOT_A = ['hour', 'honest', 'honor'] as const;

/** "a" or "an" for the word that follows. */
export function articleFor(word: string): 'a' | 'an' {
  const w = word.toLowerCase();
  for (const p of AN_NOT_A) if (w.startsWith(p)) return 'an';
  for (const p of A_NOT_AN) if (w.startsWith(p)) return 'a';
  return /^[aeiou]/.test(w) ? 'an' : 'a';
}
