// plots-b.ts: the other six story plots (a new friend, practising a skill, lost on the way,
// helping a baby bird, a rained-out picnic, a birthday gift), and the list of all plots.

import type { PlotDef } from './templates-common.js';
import { LOST, STUCK, SHARE, SCARED, BROKEN, BAKE } from './plots-a.js';

export const NEW_FRIEND: PlotDef = {
  id: 'newfriend',
  places: ['park', 'playground', 'school', 'beach', 'meadow', 'library', 'town'],
  single: true,
  title: [`a new friend`, `{H} makes a friend`, `the shy {F.kind}`, `saying hello`],
  problem: [
    [`{H} had no one to play with.`, `All the others were busy, and {H} was alone.`, `{H} sat all alone and watched the others.`],
    [`{H.He} felt [lonely|a little sad].`, `{H.He} wished {H.he} had a friend.`],
    [`Then {H.he} saw {F.first} standing [by the gate|near a tree|all alone].`, `Then {H.he} saw {F.first} sitting by {F.self}.`],
    [`{F} looked shy and did not say a word.`, `{F} was new here and did not know anyone.`],
  ],
  talk: [
    [`{H} walked over and said, "Hello! My name is {H}."`, `{H} took a deep breath and went over. "Hi! I'm {H}," {H.he} said.`],
    [`"Hi. I'm {F}," said {F} [softly|quietly|with a shy smile].`, `{F} looked up. "My name is {F}," {F.he} said.`],
    [`"Do you want to play with me?" asked {H}.`, `"Would you like to play [tag|ball|hide and seek] with me?" asked {H}.`],
    [`{F} smiled. "Yes, please!"`, `"I would love to!" said {F}.`],
  ],
  fix: [
    [`They played [tag|hide and seek|ball|catch] all [afternoon|day|morning] long.`, `They ran, jumped, and laughed together.`],
    [`{F} was not shy anymore.`, `{F} told {H} funny jokes, and {H} laughed and laughed.`],
    [`When it was time to go home, they waved goodbye.`, `"Let's play again tomorrow," said {F}.`],
  ],
  end: [
    { p: 0.8, t: [`{H} learned that saying hello can make a new friend.`, `From that day on, {H} and {F} were the best of friends.`, `{H} was never lonely again.`] },
  ],
};

export const TRY_HARD: PlotDef = {
  id: 'tryhard',
  places: [],
  extra: 'skill',
  title: [`{H} learn{H.s} to {K}`, `never give up`, `try, try again`, `{H} can {K}`],
  problem: [
    [`{H} wanted to {K} more than anything.`, `All {H.his} friends could {K}, but {H} could not.`],
    [`{H.He} tried and tried, but {H.he} {K.fail}.`, `The first time {H.he} tried, {H.he} {K.fail}.`],
    [`"{H.We} will never learn," said {H} [sadly|with a sigh].`, `{H} sat down and frowned.`],
  ],
  talk: [
    [`{G} sat down next to {H}.`, `{G} saw {H} and came over.`],
    [`"Everyone has to practice," said {G}. "Even me."`, `"Don't give up," said {G}. "Try one more time."`, `"When I was little, I could not {K} either," said {G}.`],
    [`"Really?" asked {H}.`, `"Will you help {H.us}?" asked {H}.`],
    [`"Of course," said {G} with a smile.`, `{G} nodded. "Let's try together."`],
  ],
  fix: [
    [`{H} practiced every day.`, `{H} tried again, and again, and again.`],
    [`Some days it was hard, but {H} did not give up.`, `Little by little, {H} got better.`],
    [`Then one day, {H} could {K} all by {H.self}!`, `At last, {H} did it!`],
    [`"{H.We} did it!" shouted {H}.`, `{G} clapped and cheered.`],
  ],
  end: [
    { p: 0.8, t: [`{H} learned that practice helps.`, `{H} {H.was} so proud of {H.self}.`, `{H} learned to never give up.`] },
  ],
};

export const LOST_WAY: PlotDef = {
  id: 'lostway',
  places: ['woods', 'beach', 'farm', 'meadow', 'lake', 'town', 'market'],
  single: true,
  family: true,
  title: [`lost {P.in}`, `the way home`, `{H} finds the way`],
  problem: [
    [`{H} saw a pretty {critter} and followed it.`, `{H} wanted to see what was over the next hill.`, `{H} walked away from {G} to look at something shiny.`],
    [`{H.He} walked and walked.`, `{H.He} went farther and farther.`],
    [`When {H.he} turned around, {H.he} did not know where {H.he} was.`, `Everything looked new and strange.`],
    [`{H} was lost!`, `{H} felt scared and alone.`],
  ],
  talk: [
    [`Then {H.he} saw {F.first}.`, `A voice said, "Hello there!" It was {F.first}.`],
    [`"Are you lost?" asked {F}.`, `"Why are you crying?" asked {F} kindly.`],
    [`"Yes. I can't find my way back," said {H}.`, `"I don't know where I am," said {H} with a sniff.`],
    [`"I know this place very well. Come with me," said {F}.`, `"Don't be scared. I will help you," said {F}.`],
  ],
  fix: [
    [`{F} showed {H} the way back.`, `They walked together, side by side.`],
    [`Soon {H} saw {G} waving.`, `After a while, {H} heard {G} calling {H.his} name.`],
    [`{H} ran to {G} and gave {G.him} a big hug.`, `"There you are!" said {G}, and hugged {H} tight.`],
    [`{H} thanked {F} again and again.`, `"Thank you, {F}!" said {H}.`],
  ],
  end: [
    { p: 0.8, t: [`{H} learned to always stay close to {G}.`, `Next time, {H} stayed close to {G}.`, `{H} learned that it is good to ask for help.`] },
  ],
};

export const BABY_BIRD: PlotDef = {
  id: 'bird',
  places: ['park', 'woods', 'garden', 'farm', 'meadow', 'playground', 'backyard'],
  title: [`the little bird`, `a home for the baby bird`, `{H} help{H.s} a bird`, `cheep, cheep`],
  problem: [
    [`{H} heard a tiny sound. Cheep, cheep!`, `Under a tree, {H} saw something small move in the grass.`],
    [`It was a baby bird! It had fallen out of its nest.`, `A little baby bird was sitting on the ground all alone.`],
    [`The nest was high up in the tree.`, `Its mother was flying around and calling.`],
    [`{H} felt sorry for the little bird.`, `{H} wanted to help, but {H.he} did not know how.`],
  ],
  talk: [
    [`Just then, {F.first} came by.`, `{H} called to {F.first}, who was nearby.`],
    [`"Look! A baby bird fell out of its nest," said {H}.`, `"This little bird needs help," said {H}.`],
    [`"We must be very gentle," said {F}.`, `"Let's put it back in its nest," said {F}.`],
    [`"But how?" asked {H}.`, `"How can we reach the nest?" asked {H}.`],
  ],
  fix: [
    [`{F} held the little bird in a soft hat.`, `{H} held the bird very gently in {H.his} hands.`],
    [`Then {F} climbed up the tree, one branch at a time.`, `{F} found a ladder, and {H} held it still.`],
    [`Slowly, they put the baby bird back in its nest.`, `At last, the baby bird was home again.`],
    [`The mother bird sang a happy song.`, `Cheep, cheep! The baby bird was safe.`],
  ],
  end: [
    { p: 0.8, t: [`{H} felt warm and happy inside.`, `{H} learned that even small friends need help.`, `Every day after that, {H} came to say hello to the little bird.`] },
  ],
};

export const RAIN: PlotDef = {
  id: 'rain',
  places: ['park', 'garden', 'beach', 'meadow', 'hill', 'lake', 'backyard'],
  title: [`the rainy day`, `the picnic`, `{H} and the rainbow`, `rain, rain`],
  problem: [
    [`{H} and {G} packed a picnic with {foods} and juice.`, `Today was picnic day! {H} packed {foods} in a basket.`],
    [`They spread a blanket {P.in}.`, `They found a nice spot {P.in}.`],
    [`But then, dark clouds came, and it began to rain.`, `Suddenly, big drops of rain began to fall. Plop, plop, plop!`],
    [`{H} felt {bad}. The picnic was ruined!`, `Everything got wet, and {H} began to frown.`],
  ],
  talk: [
    [`"Oh no! The rain ruined {H.our} picnic," said {H}.`, `"Why does it have to rain today?" asked {H}.`],
    [`"Rain helps the flowers grow," said {G}.`, `{G} smiled. "We can have the picnic at home."`],
    [`"But it won't be the same," said {H}.`, `"Can we still have fun?" asked {H}.`],
    [`"Let's wait and see," said {G} with a wink.`, `"Of course we can," said {G}.`],
  ],
  fix: [
    [`They ran home and laid the blanket on the floor.`, `They sat under a big umbrella and ate their {foods}.`],
    [`Soon the rain stopped, and the sun came out.`, `After a while, the rain stopped.`],
    [`Then {H} saw a big rainbow in the sky!`, `A rainbow stretched across the sky, with every color.`],
    [`"Look! A rainbow!" shouted {H}.`, `{H} jumped in the puddles and laughed.`],
  ],
  end: [
    { p: 0.8, t: [`{H} learned that a rainy day can be fun too.`, `It was the best picnic ever.`] },
  ],
};

export const GIFT: PlotDef = {
  id: 'gift',
  places: ['kitchen', 'bedroom', 'backyard', 'garden', 'school'],
  title: [`a gift for {G.call}`, `the birthday surprise`, `a gift from the heart`],
  problem: [
    [`Tomorrow was {G}'s birthday.`, `It was almost {G}'s birthday.`],
    [`{H} wanted to give {G.him} a special gift.`, `{H} wanted to make a surprise.`],
    [`But {H} had no money to buy anything.`, `But {H} did not know what to make.`],
    [`{H} thought and thought.`, `{H} sat by the window with a frown.`],
  ],
  talk: [
    [`Then {F.first} came to play.`, `Just then, {F.first} knocked on the door.`],
    [`"Why do you look so {bad}?" asked {F}.`, `"What are you thinking about?" asked {F}.`],
    [`"It is {G}'s birthday, and {H.we} have no gift," said {H}.`, `"{H.We} want to make a gift for {G}, but {H.we} don't know what," said {H}.`],
    [`"You could draw a picture," said {F}.`, `"Let's make a card with lots of colors," said {F}.`, `"What about a card and some flowers?" asked {F}.`],
  ],
  fix: [
    [`{H} and {F} got paper and crayons.`, `They worked hard all afternoon.`],
    [`They made {a} {color} card with a big heart on it.`, `They drew a picture of {G} with a big smile.`],
    [`The next day, {H} gave the gift to {G}.`, `On the birthday, {H} said, "Surprise!"`],
    [`{G} smiled and said, "This is the best gift ever!"`, `{G} hugged {H} and put the card on the wall.`],
  ],
  end: [
    { p: 0.8, t: [`{H} learned that the best gifts come from the heart.`, `{H} felt proud and happy.`] },
  ],
};

export const PLOTS: readonly PlotDef[] = [LOST, STUCK, SHARE, SCARED, BROKEN, BAKE, NEW_FRIEND, TRY_HARD, LOST_WAY, BABY_BIRD, RAIN, GIFT];

/** Skills for the practising plot: what to do, and how it goes wrong. */
export const SKILLS: readonly (readonly [string, string])[] = [
  ['ride a bike', 'fell off again and again'],
  ['swim', 'splashed and sank'],
  ['jump rope', 'got tangled in the rope'],
  ['whistle', 'only made a funny sound'],
  ['catch a ball', 'missed it every time'],
  ['skate', 'slipped and fell down'],
  ['read a whole book', 'got stuck on the long words'],
  ['climb the rope', 'slid back down'],
  ['do a cartwheel', 'landed in a heap'],
];
