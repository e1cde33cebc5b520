#!/usr/bin/env python3
"""Writes Chorus's synthetic Friends and Family Test export, corpora/sample-fft.csv.

Every comment in the output is SYNTHETIC: the phrases below were written by the Chorus developers and are
combined at random (fixed seed), so no real patient is quoted. The file imitates a wide trust export: one row
per respondent, both FFT free-text questions as columns, UK dates, score codes 1-6 with a few written as words
and a few "not given" codes, placeholders, spelling mistakes, long stories, planted personal identifiers,
hostile strings and exact duplicate rows. corpora/README.md documents the planted patterns and the counts this
script prints.

Usage (Python 3.11+, standard library only):

    python3 corpora/generate_sample.py            # writes sample-fft.csv and sample-fft-truth.csv
    python3 corpora/generate_sample.py --check    # exits 1 if the committed files differ from a fresh run
    python3 corpora/generate_sample.py --out DIR  # writes into DIR instead of corpora/

The same seed gives the same bytes on every machine: nothing iterates a set or dict whose order depends on
string hashing, and only `random.Random` methods whose algorithm is stable across Python 3 releases are used.
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import hashlib
import io
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20230401
FIRST_MONTH = (2023, 4)
MONTHS = 24  # April 2023 - March 2025

# The planted changes (see README "Planted patterns").
PDSA_TRIAGE_START = dt.date(2024, 6, 1)  # ED "rapid assessment and triage" at the front door
NORTHGATE_PARKING_CHANGE = dt.date(2024, 10, 1)  # Northgate free car park becomes pay-and-display

Q_WHY = "Please tell us why you gave your answer"
Q_IMPROVE = "What could we do better?"
HEADER = [
    "Response ID",
    "Date",
    "Site",
    "Service",
    "Ward/Department",
    "Age band",
    "Ethnicity",
    "FFT score",
    Q_WHY,
    Q_IMPROVE,
]
TRUTH_HEADER = [
    "Response ID",
    "Month",
    "Service",
    "Site",
    "Score",
    "Why status",
    "Improve status",
    "Why clauses",
    "Improve clauses",
    "Discordant",
    "ED waiting complaint",
    "Parking complaint",
    "Triage praise",
    "Staff praise",
    "Long story",
    "Special",
    "Duplicate rows",
]

RIVERSIDE = "Riverside General"
NORTHGATE = "Northgate Community Hospital"
KINGSMEAD = "Kingsmead Health Centre"
TRUSTWIDE = "Trust-wide"

# Service codes used in the fragment bank, and the names written to the export.
ED, MAT, OP, CMH, W7, PTS, N111 = "ED", "MAT", "OP", "CMH", "W7", "PTS", "111"
SERVICE_NAME = {
    ED: "Emergency Department",
    MAT: "Maternity",
    OP: "Outpatients",
    CMH: "Community Mental Health",
    W7: "Ward 7 (Elderly care)",
    PTS: "Patient Transport",
    N111: "111",
}
SERVICES = [ED, MAT, OP, CMH, W7, PTS, N111]
SERVICE_WEIGHT = [0.26, 0.13, 0.22, 0.11, 0.09, 0.09, 0.10]
GROUPS = {
    "ALL": SERVICES,
    "VISIT": [ED, MAT, OP, CMH, W7],
    "INPT": [ED, MAT, W7],
    "WARD": [MAT, W7],
    "CLINIC": [OP, CMH],
}
SITES = {
    ED: [(RIVERSIDE, 1.0)],
    MAT: [(RIVERSIDE, 1.0)],
    OP: [(RIVERSIDE, 0.5), (NORTHGATE, 0.5)],
    CMH: [(NORTHGATE, 0.7), (KINGSMEAD, 0.3)],
    W7: [(RIVERSIDE, 1.0)],
    PTS: [(RIVERSIDE, 0.6), (NORTHGATE, 0.4)],
    N111: [(TRUSTWIDE, 1.0)],
}
WARDS = {
    ED: ["Majors", "Minors", "Minors", "Resus", "Paediatric ED", "Majors"],
    MAT: ["Labour Ward", "Birth Centre", "Postnatal Ward", "Antenatal Clinic", "Postnatal Ward"],
    OP: ["Fracture Clinic", "Eye Clinic", "Cardiology", "Dermatology", "ENT", "Rheumatology", "Diabetes"],
    CMH: ["CMHT North", "CMHT South", "Crisis Resolution Team", "Early Intervention in Psychosis"],
    W7: ["Ward 7"],
    PTS: ["Non-emergency transport", "Renal transport"],
    N111: ["Call handling", "Clinical assessment service"],
}
# Weekday-only services: outpatient clinics and community teams do not run at weekends.
WEEKDAYS_ONLY = (OP, CMH)

# How often a clause of a comment is about each topic, by service. "general" is overall praise or complaint;
# "staff" here is only staff criticism (staff praise is planted at a fixed rate, see `staff_praise`).
TOUCHPOINT_WEIGHTS = {
    ED: dict(general=.22, access=.02, travel=.04, arrival=.12, waiting=.25, assessment=.25, treatment=.25,
             information=.15, medication=.06, stay=.08, discharge=.08, staff=.10),
    MAT: dict(general=.2, access=.04, travel=.04, arrival=.05, waiting=.08, assessment=.1, treatment=.3,
              information=.2, medication=.08, stay=.25, discharge=.15, staff=.10),
    OP: dict(general=.22, access=.22, travel=.1, arrival=.1, waiting=.25, assessment=.15, treatment=.12,
             information=.25, medication=.05, discharge=.08, staff=.08),
    CMH: dict(general=.18, access=.3, travel=.02, arrival=.03, waiting=.08, assessment=.12, treatment=.28,
              information=.18, medication=.15, discharge=.12, staff=.10),
    W7: dict(general=.18, access=.02, arrival=.02, waiting=.06, assessment=.05, treatment=.25, information=.22,
             medication=.1, stay=.35, discharge=.25, staff=.10),
    PTS: dict(general=.2, access=.15, travel=.6, arrival=.08, waiting=.35, information=.08, staff=.08),
    N111: dict(general=.2, access=.4, waiting=.3, assessment=.3, treatment=.06, information=.2, medication=.04,
               discharge=.1, staff=.08),
}

# Score distributions for codes 1-5 (before "don't know" and "not given" are taken out).
BASE_SCORES = {
    ED: [.50, .22, .09, .08, .11],
    MAT: [.72, .16, .05, .04, .03],
    OP: [.66, .20, .06, .04, .04],
    CMH: [.55, .20, .10, .07, .08],
    W7: [.62, .20, .07, .06, .05],
    PTS: [.60, .20, .08, .06, .06],
    N111: [.50, .22, .10, .08, .10],
}
# Scores of respondents who complain about the ED wait or about parking: mostly poor, some "staff were
# lovely but...".
COMPLAINT_SCORES = [.07, .20, .23, .25, .25]


def p_ed_wait(year: int, month: int) -> float:
    """Chance that an ED respondent's Why comment complains about the wait (planted trend)."""
    winter = month in (11, 12, 1, 2)
    if (year, month) < (2024, 6):
        return 0.60 if winter else 0.30
    return 0.25 if winter else 0.08


def p_parking(site: str, date: dt.date) -> float:
    """Chance that a visitor's Why comment complains about parking (planted trend at Northgate)."""
    if site == NORTHGATE:
        return 0.35 if date >= NORTHGATE_PARKING_CHANGE else 0.03
    if site == RIVERSIDE:
        return 0.05
    return 0.02


P_STAFF_PRAISE = 0.30  # every service, every month: the stable pattern
P_TRIAGE_PRAISE = 0.18  # ED rows after the PDSA change only
P_DISCORDANT = 0.04

# ---------------------------------------------------------------------------------------------------------
# The fragment bank. Written for this file by the Chorus developers. Lines under "== pool polarity" are
# clauses; an optional "[ED,MAT]" or "[VISIT]" prefix limits a clause to those services (default: every
# service that has the touchpoint). Slots: {h} hours, {m} minutes, {w} weeks, {mo} months, {fee} pounds,
# {rel} a relative ("mum"), {adj} praise word, {staffp} staff group (plural), {staffs} one member of staff.
# ---------------------------------------------------------------------------------------------------------
FRAGMENTS = r"""
== general +
the care I received was first rate
very good service
couldn't fault anything
a really positive experience
everything went well
all very efficient
well organised from start to finish
no complaints at all
everything ran smoothly
really impressed with the whole visit
[VISIT] best experience I've had in a hospital
[VISIT] the whole department runs like clockwork
first class service
could not have asked for better
it was a good experience overall
really reassuring experience
excellent from beginning to end
I was looked after really well
very efficient and friendly
[ED] for a busy A&E it was very well run
[MAT] the best possible start for our baby
[MAT] we had our first baby here and it was a wonderful experience
[OP] clinic was well run
[OP] in and out with everything done
[CMH] the service has genuinely turned things around for me
[CMH] I feel so much better than I did six months ago
[W7] the care {rel} received on the ward was outstanding
[W7] I can't thank the ward enough for how they cared for {rel}
[PTS] the transport service is a lifeline for me
[PTS] reliable as always
[111] 111 was really helpful
[111] the service did exactly what it should
== general -
shambles from start to finish
really disorganised
a terrible experience
the worst service I've had
really poor
not what I expected from the NHS
disappointing all round
felt like nobody was in charge
it was chaos
I left feeling worse than when I came in
felt like a number on a conveyor belt
[VISIT] the whole place is falling apart
[OP] the clinic was a complete mess
[CMH] I feel completely let down by mental health services
[CMH] I'm no better off than when I was referred
[W7] I would not want any of my family to be a patient on that ward
[PTS] the transport service is unreliable
[111] 111 was a waste of time
[111] I don't know why I bothered ringing
[MAT] it should have been the happiest time of my life and it wasn't
== staff +
the {staffp} were {adj}
{staffs} was {adj} and put me at ease
everyone was so kind and caring
staff were friendly and professional throughout
{staffs} made me feel like a person not a number
the {staffp} could not have done more for us
treated with dignity and respect
{staffs} had a lovely manner
{staffs} was patient with me even though I was anxious
the {staffp} were run off their feet but still had time for a chat
lovely friendly staff
every single member of staff was polite
they were very professional
{staffs} went above and beyond
the {staffp} are a credit to the NHS
nothing was too much trouble
staff were kind and reassuring
{staffs} was so gentle with me
all the staff were cheerful despite how busy it was
felt very well looked after by the {staffp}
the {staffp} were really understanding
they were respectful and kind
{staffs} was absolutely lovely
the {staffp} were friendly and helpful
every member of the team was {adj}
{staffs} was caring and compassionate
[MAT] the midwives were so supportive of my partner as well as me
[W7] the healthcare assistants treated {rel} like their own family
[PTS] the driver was a real gentleman
[111] the call handler was calm and kind when I was panicking
[CMH] my care coordinator is genuinely kind and never judges me
== staff -
{staffs} was rude and dismissive
some of the {staffp} were abrupt
the {staffp} seemed more interested in chatting to each other than the patients
felt like I was a nuisance
nobody introduced themselves
{staffs} rolled their eyes at me
staff were short with us
one of the {staffp} was very unprofessional
made to feel like I was wasting their time
no compassion at all
the attitude of some staff was poor
{staffs} spoke to me like a child
I heard staff moaning about patients
not a smile from anyone
{staffs} was on their phone the whole time
{staffs} was sarcastic when I asked a question
[W7] a couple of the night staff were quite rough with {rel}
[MAT] one midwife made me feel stupid for asking for pain relief
[111] the call handler sounded bored and kept interrupting me
[PTS] the driver was grumpy and didn't help me with my bag
== access +
[OP,CMH] received my appointment letter in good time
[OP,CMH] got an appointment quickly after my GP referral
[OP,CMH] the booking was easy
[OP] was offered an appointment within two weeks
[OP,CMH] the text reminder was helpful
[OP,CMH,MAT] phoned up and got through straight away
[OP] easy to rebook when I couldn't make it
[OP,CMH] the referral was sorted really fast
[OP,CMH,MAT] I was seen sooner than I expected
[OP] the online booking system was simple to use
[OP] they rang me with a cancellation slot which was brilliant
[CMH] the referral from my GP came through faster than I thought
[CMH] the crisis line answered when I needed it
[CMH] I was assessed within a fortnight of my GP referring me
[MAT] booking in with the community midwife was easy
[MAT] the maternity triage line answered straight away
[PTS] booking transport was straightforward
[PTS] the transport booking line was easy to use
[PTS] they sorted my transport out at short notice
[111] got through to 111 in a couple of minutes
[111] the call was answered quickly even at 2am
[111] easy to get through
[W7] easy to get hold of someone on the ward phone
== access -
[OP,CMH] never received the letter with my appointment
[PTS] never received confirmation of my booking
[OP,CMH] took months to get an appointment
[OP,CMH,MAT] impossible to get through on the phone
[OP,CMH,W7] the phone just rings and rings
[OP] appointment cancelled twice with no explanation
[OP,CMH] my referral got lost and I had to chase it
[OP] had to wait {w} weeks for a first appointment
[OP,CMH] the letter arrived after the appointment date
[OP,CMH] was told to ring back in a month and nobody ever answered
[OP,CMH,W7] no one returns calls
[OP,W7] the switchboard put me through to the wrong department three times
[OP] appointment moved three times
[OP] the booking centre gave me an appointment at the wrong hospital
[OP] the so-called "choose and book" system gave me no choice at all
[CMH] on the waiting list for {mo} months with no contact
[CMH] the crisis line didn't pick up
[CMH] kept being passed between services
[CMH] I was told I was "not unwell enough" for the team
[MAT] couldn't get through to the triage line when my waters went
[PTS] couldn't get through to book transport
[PTS] they told me I wasn't eligible for transport this time after years of using it
[PTS] the booking line is only open in office hours
[111] waited {m} minutes to get through to 111
[111] the call kept cutting out in the queue
[111] on hold for over an hour
[111] got cut off twice and had to start again
[W7] we couldn't get anyone on the ward to answer the phone
== travel +
[VISIT] easy to find
[VISIT] good bus links
[VISIT] the signs were clear
[VISIT] the hospital is handy for me
[VISIT] close to home which helps
[VISIT] the new entrance makes it easy to find your way
[VISIT] the volunteers at the main door pointed us the right way
[PTS] the driver was on time
[PTS] picked up bang on time
[PTS] comfortable journey
[PTS] the vehicle was clean and comfy
[PTS] got me to my appointment with time to spare
[PTS] the driver helped me with my wheelchair
[PTS] they got me home safely after a long day
[PTS] the crew drove carefully which matters with my back
== travel -
[VISIT] the signposting is terrible, we got lost twice
[OP,CMH] the clinic is miles from the main entrance
[VISIT] the bus only comes once an hour
[VISIT] hard to find the department
[VISIT] a long walk from the entrance for someone on crutches
[VISIT] the lifts were out of order
[PTS] transport was {h} hours late picking me up
[PTS] missed my appointment because transport never came
[PTS] sat in the vehicle for ages while they picked up others
[PTS] the journey took over two hours for a twenty minute drive
[PTS] they came to the wrong address
[PTS] cancelled transport the night before
[PTS] the vehicle was freezing
[PTS] the driver got lost and I was late for dialysis
== arrival +
[VISIT] the receptionist was welcoming
[VISIT] check in was quick
[OP,CMH] the self check-in screen was easy
[VISIT] reception were helpful
[VISIT] greeted with a smile
[VISIT] the volunteer at the entrance showed us where to go
[ED] booked in quickly at the front desk
[MAT] the labour ward answered the buzzer straight away
[PTS] the crew took me right to the clinic door
[OP] the receptionist explained the clinic was running late which I appreciated
== arrival -
[VISIT] the receptionist was rude
[VISIT] no one on reception for ages
[OP,CMH] the check-in screen wasn't working
[VISIT] reception didn't know where to send me
[OP,CMH,MAT] had to queue just to book in
[VISIT] the receptionist didn't look up from her screen
[OP,CMH] reception told me I wasn't on the list
[ED] had to explain everything twice at the desk
[MAT] the buzzer on the labour ward door wasn't answered for ages
[PTS] the crew dropped me at the wrong entrance
== waiting +
hardly any wait
didn't have to wait long
[OP,CMH,MAT] seen on time
[OP,CMH,MAT] seen within {m} minutes of my appointment time
[OP,MAT] the wait wasn't too bad
[OP,CMH] was called in early
[OP] the clinic ran on time for once
[ED] hardly waited at all for A&E
[ED] seen within the hour which for A&E is amazing
[ED] quicker than I expected for a Friday night
[ED] the wait was fair given how busy it was
[ED] triaged within {m} minutes
[111] got a call back within {m} minutes
[111] the nurse rang back quicker than they said
[W7] call bells were answered quickly
[PTS] didn't have to wait long for my lift home
== waiting -
[OP,CMH,MAT] clinic was running {h} hours late
[OP,CMH,MAT] waited over an hour past my appointment time
[OP,CMH,MAT,W7] nobody told us why there was a delay
[OP,CMH,MAT] waited ages to be called
[OP,MAT] the waiting room was packed
[OP,CMH,MAT] long wait with no updates
[W7] waited {h} hours for the doctor to come round
[W7] {rel} waited ages for the call bell to be answered
[W7] {rel} was left waiting to be taken to the toilet
[MAT] waited {h} hours for the induction to start
[MAT] waited two days for induction because the labour ward was full
[111] waited {h} hours for a call back
[111] was told a clinician would ring within the hour and it was {h} hours
[111] still waiting for the call back the next morning
[PTS] waited {h} hours for transport home after dialysis
[PTS] sat in the discharge lounge until gone 8pm waiting for transport
[PTS] waited so long for my return transport I missed my tea
== edwait -
waited {h} hours to be seen
sat in the waiting room for {h} hours with no update
{h} hours in A&E is not acceptable
the wait was ridiculous, {h} hours before anyone saw me
we were in A&E from teatime until gone 3 in the morning
no one told us how long we would be waiting
waited over {h} hours on a trolley in the corridor
the screen said four hour wait but it was more like {h}
{h} hours to see a doctor for a five minute look at my wrist
the waiting room was heaving and we waited {h} hours
waited all night in A&E
{h} hours on a plastic chair when you're in that much pain is cruel
waited {h} hours just to be told to see my GP
my little boy waited {h} hours in the children's area
waited {h} hours for a bed on the ward
there were ambulances queuing outside and we waited {h} hours inside
spent the whole night in the corridor waiting for a cubicle
the waiting times in A&E are a joke
== triage +
seen by a senior nurse at the front door straight away
the new triage at the front meant I was assessed within {m} minutes
a doctor saw me at the front desk and got my bloods done before I even sat down
the rapid assessment bit at the start was really quick
they assessed me at the door and sent me to the right place straight away
loved that a clinician saw me as soon as I arrived
the front door assessment was brilliant, bloods and ECG done in {m} minutes
much quicker than last time now they see you at the front
== assessment +
[ED,OP,MAT,W7] the doctor was thorough
[OP,ED,MAT] had all the tests done in one visit
they got to the bottom of it quickly
[OP,MAT,ED] the scan was quick and painless
[ED,OP,W7] blood tests were done really quickly
they took my concerns seriously
[OP,CMH] finally got a diagnosis after years
[ED,OP] the x-ray was done straight away
[ED] the triage nurse was quick and thorough
[ED] they checked me over properly and did an ECG
[MAT] the scan was reassuring
[MAT] they monitored the baby really closely
[CMH] my assessment was thorough and I felt heard
[111] the questions were thorough
[111] the nurse who rang back asked all the right questions
[W7] the doctors were thorough when they assessed {rel}
== assessment -
[ED,OP,MAT,W7] the doctor barely examined me
[ED,OP,111] sent home without any tests
[ED,OP] misdiagnosed, turned out to be broken after all
[OP,W7] had to wait {h} hours for blood results
nobody seemed to know what was wrong
felt rushed in the consultation
they didn't listen to what I said my symptoms were
[ED] the triage nurse didn't seem to listen
[ED] was told it was "just anxiety" without any tests
[MAT] my concerns about reduced movements were brushed off
[CMH] the assessment felt like a box ticking exercise
[111] same questions over and over
[111] the questions were ridiculous for a simple problem
[111] the script didn't fit my problem at all
[W7] nobody assessed {rel} for falls even though she'd fallen at home
== treatment +
the care was excellent
[ED,OP,MAT] the procedure went smoothly
[ED,MAT,OP,W7] my pain was managed well
they sorted my problem out
made a big difference to my life
excellent care from start to finish
the treatment has really helped
[ED,OP,W7] the dressing was done gently
[ED] they stitched up my hand beautifully
[ED] they put my shoulder back in and it was such a relief
[OP] my eye is so much better since the treatment
[OP] the physio exercises have really helped my knee
[MAT] the midwives helped me deliver my baby safely
[MAT] the birth was calm and I felt in control
[MAT] the support with breastfeeding was brilliant
[CMH] the therapy sessions have helped me a lot
[CMH] my care coordinator has been a lifeline
[CMH] the group sessions gave me tools I still use every day
[W7] {rel} was treated with such dignity
[W7] they helped {rel} get back on their feet with the physio
[W7] {rel} was kept clean and comfortable
[111] the advice sorted it without needing to go to A&E
== treatment -
[ED,W7,MAT] left in pain for hours
[ED,OP,MAT] the procedure was rushed
care was poor
the treatment didn't work and no one followed up
[ED,OP,MAT,W7,CMH] felt like they just wanted me out of the door
[ED,W7,MAT] they had to try four times to get a cannula in
[ED] the cast was put on too tight and I had to go back
[OP] the injection made no difference and nobody seemed bothered
[MAT] no support with breastfeeding
[MAT] my birth plan was ignored
[MAT] left on my own during labour for long periods
[CMH] only offered six sessions which is nowhere near enough
[CMH] keep getting a different person every time
[CMH] the therapy was cut short without warning
[W7] {rel} wasn't washed for three days
[W7] {rel} was left in a wet bed
[W7] {rel} developed a pressure sore on the ward
[W7] {rel} was left in the same nightie for days
[111] the advice made things worse
== information +
everything was explained clearly
they listened to me
kept us updated all the way through
I was given time to ask questions
explained in a way I could understand
[OP,CMH,MAT] the leaflet was useful
[OP] the consultant drew a diagram to explain
[ED,MAT,OP,CMH,W7,111] felt involved in decisions about my care
they answered all my questions
[W7] the ward rang me every day with an update on {rel}
[W7] the doctors took time to talk to us as a family
[CMH] for the first time I felt properly listened to
[MAT] they explained every step of the induction
[111] the advice was clear and easy to follow
[PTS] they rang to let me know the driver was on the way
== information -
[OP,W7] received the results by letter with no explanation
no one explained what was happening
nobody listened to me
got conflicting information from different staff
didn't know what was going on
[ED,MAT,OP,CMH,W7,111] used too much jargon
[W7] no one told us {rel} had been moved wards
I had to keep asking for updates
[ED,OP,MAT,W7] wasn't told the results
felt like I wasn't being listened to
they talked over me to each other
[W7] we found out more from {rel} than from the staff
[CMH] nobody reads my notes so I have to repeat my story every time
[MAT] no one explained why I needed a c-section
[111] the advice was confusing
[PTS] nobody told me the transport was cancelled
[OP] the letter was full of abbreviations I didn't understand
== medication +
[ED,W7,MAT] got my pain relief quickly
[OP,W7,CMH] the pharmacist explained my new tablets
[ED,W7,OP] medication was sorted before I left
[CMH,OP] they reviewed my meds and it's made a real difference
[MAT] the epidural was sorted quickly
[CMH] the side effects were taken seriously
[W7] {rel}'s medication was given on time every day
[111] they arranged a prescription at the local chemist
== medication -
[W7,MAT] waited {h} hours for pain relief
[ED,W7,OP] was given the wrong dose
[W7,MAT] my usual medication was missed
[W7,OP] waited all day for tablets from pharmacy
no one explained the side effects
[CMH,OP] ran out of medication because the prescription wasn't sent
[MAT] asked for an epidural and it never came
[CMH] my medication review kept getting put off
[W7] {rel}'s medication was given late
[W7] {rel}'s parkinson's tablets were missed more than once
[ED] the pain relief was not enough for a broken arm
[111] told to get a prescription but no one sent it to the chemist
== stay +
[INPT] the ward was spotless
[WARD] the food was surprisingly good
[INPT] lovely clean ward
[WARD] quiet at night so I could sleep
[ED] the cubicle was clean
[INPT] plenty of cups of tea
[WARD] the room was comfortable
[INPT] the toilets were clean
[MAT] my partner was allowed to stay overnight
[MAT] the birth centre room was lovely and calm
[W7] visiting times were flexible
[W7] the dementia friendly bay was lovely
[W7] there was always a jug of fresh water for {rel}
[ED] they found me a blanket and a pillow
== stay -
[INPT] the toilets were filthy
[WARD] the food was cold and tasteless
[WARD] couldn't sleep for the noise
[WARD] the ward was too hot
[INPT] bins overflowing
[WARD] the bay lights were on all night
[ED] there was blood on the floor of the cubicle
[INPT] no chair for my partner
[WARD] no water jug was left within reach
[MAT] partners were sent home at 10pm which was awful
[MAT] the postnatal ward was so noisy
[MAT] the shower on the postnatal ward was dirty
[W7] {rel} was moved bays three times
[W7] {rel}'s glasses went missing
[W7] {rel}'s food was left out of reach
[W7] the curtains around the bed were stained
[ED] the cubicles are filthy
[ED] no blankets and it was freezing
== discharge +
[ED,W7,OP] received a follow-up phone call the next day
[WARD] discharge was smooth
[ED,OP,CMH,MAT,W7] the follow-up call was reassuring
[ED,W7,MAT] got a copy of my letter to take home
[ED,OP,MAT,W7] knew exactly what to do when I got home
[OP,W7] the follow-up appointment was booked before I left
[W7] they sorted out carers for {rel} before discharge
[MAT] the community midwife visited the next day
[CMH] my discharge was planned with me and I knew who to call
[111] they booked me a slot at the urgent treatment centre
[111] they sent an ambulance when it was needed
[ED] given clear advice about what to do if it got worse
== discharge -
[ED,OP,W7] discharged without any follow up
[WARD] waited all day to go home
[ED,W7] sent home too early and ended up back in
[ED,W7,OP] no one told my GP
[ED,W7,OP] the discharge letter was wrong
[W7] waiting for TTOs from pharmacy for {h} hours
[ED] sent home at 2am with no way of getting home
[CMH] discharged from the service without being told
[CMH] discharged back to my GP while I was still struggling
[MAT] waited {h} hours to be discharged with my baby
[W7] {rel} was sent home at 9pm with no care in place
[111] told to go to A&E and then A&E said I should never have been sent
[OP] still waiting for the follow-up that was promised
== parking +
parking was easy
plenty of parking
free parking is a big help
got a space right by the door
blue badge spaces close to the entrance
== parking -
parking was a nightmare
drove round the car park for {m} minutes looking for a space
parking is far too expensive
had to park half a mile away
the car park is always full
the pay machine in the car park was broken
£{fee} to park is a disgrace when you're visiting every day
got a parking ticket because my appointment ran over
nowhere to park so I was late for my appointment
== parking_northgate -
the new pay and display at Northgate only takes the app and I don't have a smartphone
parking used to be free at Northgate now it's £{fee}
the new barriers at Northgate car park queue back onto the road
since they brought in parking charges at Northgate people park all over the estate
got a fine from the new parking company even though I'd paid
the car park charges are new and nobody warned us
had to download a parking app in the rain just to pay for the car park
the new car park machines don't take cash
== dontknow 0
I was only the driver so can't really say
only been here once so can't compare
haven't had the results yet so don't know
filled this in for my dad, he can't remember much
too early to say really
not sure what this survey is for
didn't actually see anyone in the end
came with my sister so it wasn't my appointment
still waiting to hear what happens next
I was asleep for most of it
== opener +
Very good.
Excellent.
Brilliant.
Overall very happy.
Have to say I was impressed.
Amazing service.
Fantastic.
Really good.
Couldn't be happier.
All good.
== opener -
Really disappointed.
Not impressed.
Where do I start.
Sorry but not good.
Appalling.
Shocking.
Very poor.
Not good enough.
I'm furious.
Dreadful.
== opener 0
Mixed experience.
Some good some bad.
It was ok.
Average.
Not bad.
== closer +
Thank you all so much.
Would definitely recommend.
Keep up the good work!
10/10
Many thanks to the whole team.
Credit to the NHS.
Really appreciated.
Thanks again.
Thank you!
Couldn't ask for more.
Big thank you.
== closer -
Not good enough.
Won't be coming back if I can help it.
Really let down.
Disgraceful.
Something needs to change.
I will be making a formal complaint.
Very disappointing.
Sort it out.
Unacceptable.
== closer 0
Could be better.
Room for improvement.
Hit and miss really.
== short +
Very good
Excellent service
All good
Quick and efficient
Very professional
Friendly staff
No complaints
Fab
Spot on
Good
Great
Really helpful
Good service
== short -
Poor
Rubbish
Terrible
Awful service
Not good
Useless
== short 0
Ok
It was ok
Fine
Average
As expected
== nothing +
Nothing.
Nothing
nothing
Nothing.
nothing at all
Nothing, it was perfect
Nothing really, all good
Can't think of anything
Nothing - keep doing what you're doing
Honestly nothing
Not a thing
Nothing to improve
Nothing, everyone was brilliant
Keep up the good work
Carry on as you are
nothing, all fine
Nothing at all, thank you
Nothing I can think of
no improvements needed
I wouldn't change anything
== improve general
More staff
Better communication
Listen to patients
Pay the staff more, they deserve it
Look after your staff, they're exhausted
Treat people like human beings
Just be a bit more organised
== improve staff
Staff training on manners
Be kinder
Some staff need reminding to be polite
Introduce yourselves
Smile
== improve access
Answer the phones
Make it easier to get an appointment
[OP,CMH] Send letters out in time
[OP,CMH] More appointments
[OP] Let people book online
[OP] Stop cancelling appointments at short notice
[OP,CMH] Shorter waiting lists
Call people back when you say you will
[111] More call handlers
[PTS] Let people book transport online
== improve travel
[VISIT] Better signs to the department
[VISIT] Fix the lifts
[PTS] Turn up on time
[PTS] Don't cancel transport the night before
[PTS] Plan the routes better so people aren't in the vehicle for hours
== improve arrival
[VISIT] Friendlier reception staff
[VISIT] More staff on reception
[OP,CMH] Fix the check-in screens
== improve waiting
Shorter waiting times
Tell people how long the wait will be
More staff so people aren't waiting hours
[OP,CMH,ED] Put a screen up with waiting times
[OP,ED,MAT] More chairs in the waiting room
[OP,ED] Water machine in the waiting room
[OP,CMH] Keep people updated if the clinic is running late
[111] Ring back when you say you will
[PTS] Don't leave people waiting hours for transport home
== improve assessment
Take more time to examine patients
Listen to what patients say about their symptoms
[OP] Do the tests on the day rather than another trip
[111] Fewer questions for simple problems
== improve treatment
[ED,W7,MAT] Better pain relief
More continuity of care
[CMH] Offer more therapy sessions
[MAT] Give people the same midwife throughout
[W7] Help people with washing and eating
== improve information
Keep families updated
Explain things in plain English
Give written information to take home
Tell people what's happening
[CMH] Read the notes before the appointment
== improve medication
[W7,OP] Speed up pharmacy
Explain the side effects of medication
[W7,MAT] Make sure regular meds are given on time
== improve stay
[WARD] Better food
[WARD] Quieter wards at night
[MAT] Let partners stay overnight
[INPT] Cleaner toilets
[W7] More comfortable chairs for visitors
[WARD] Turn the lights down at night
== improve discharge
Faster discharge
Proper follow-up after discharge
[ED,W7,OP] Tell the GP what happened
[ED,W7] Don't discharge people in the middle of the night
== improve parking
Cheaper parking
More parking spaces
Free parking for patients
Fix the pay machines
== improve parking_northgate
Bring back free parking at Northgate
Let people pay with cash at Northgate
Get rid of the new parking app
== improve edwait
Shorter waits in A&E
More doctors in A&E at night
Tell people how long the wait is in A&E
Somewhere for elderly people to lie down while they wait
Sort out the A&E waiting times
"""

STAFF_WORDS = {
    ED: (["nurses", "doctors", "staff", "paramedics", "A&E staff", "nurses and doctors"],
         ["the triage nurse", "the doctor", "the nurse who saw me", "the consultant", "the paramedic"]),
    MAT: (["midwives", "staff", "midwives and doctors", "maternity team", "student midwives"],
          ["my midwife", "the midwife", "the consultant", "the anaesthetist", "the student midwife"]),
    OP: (["staff", "nurses", "clinic staff", "reception staff"],
         ["the consultant", "the nurse", "the doctor", "the specialist", "the radiographer"]),
    CMH: (["staff", "team", "crisis team"],
          ["my care coordinator", "the psychiatrist", "my CPN", "the therapist", "the support worker"]),
    W7: (["nurses", "staff", "healthcare assistants", "nurses and carers", "ward staff"],
         ["the nurse", "the ward sister", "the doctor", "the physio", "the healthcare assistant"]),
    PTS: (["drivers", "crew", "transport staff"],
          ["the driver", "the crew", "the ambulance driver", "the lady on the phone"]),
    N111: (["staff", "call handlers"],
           ["the call handler", "the nurse on the phone", "the lady I spoke to", "the man I spoke to",
            "the clinician who rang back"]),
}
ADJ = ["lovely", "amazing", "brilliant", "fantastic", "so kind", "really friendly", "very caring", "wonderful",
       "great", "fab", "excellent", "superb"]
RELATIVES = ["mum", "dad", "my mum", "my dad", "my husband", "my wife", "my nan", "my grandad",
             "my mother-in-law", "my father", "my mother", "my aunt"]
W7_RELATIVES = ["mum", "dad", "my mum", "my dad", "my husband", "my wife", "my nan", "my grandad",
                "my mother-in-law", "my father", "my mother", "my aunt"]

PLACEHOLDERS_WHY = ["Did not answer", "N/A", "-", "nothing", "No comment", "n/a", "."]
PLACEHOLDERS_IMPROVE = ["Did not answer", "N/A", "-", "No comment", "n/a", "."]

MISSPELLINGS = [
    ("received", "recieved"), ("professional", "proffesional"), ("definitely", "definately"),
    ("doctors", "docters"), ("doctor", "docter"), ("excellent", "excelent"), ("appointment", "apointment"),
    ("separate", "seperate"), ("necessary", "neccessary"), ("receptionist", "recepsionist"),
    ("really", "realy"), ("friendly", "freindly"), ("absolutely", "absolutly"), ("explained", "explaned"),
    ("until", "untill"), ("waiting", "wating"), ("midwives", "midwifes"), ("pharmacy", "pharmacey"),
    ("hospital", "hosptial"), ("embarrassed", "embarassed"), ("their", "there"), ("a lot", "alot"),
    ("unacceptable", "unexceptable"), ("disgusting", "discusting"), ("because", "becuase"),
    ("thorough", "thourough"), ("beginning", "begining"), ("believe", "beleive"), ("nurses", "nurse's"),
    ("comfortable", "comfterble"), ("anxious", "anxous"), ("busy", "buisy"), ("dignity", "dignaty"),
]
TXT_SPEAK = [
    (r"\b(\d+) hours\b", r"\1hrs"), (r"\b(\d+) minutes\b", r"\1 mins"), (r"\byou\b", "u"),
    (r"\bbecause\b", "cos"), (r"\bto be honest\b", "tbh"), (r"\bthanks\b", "thx"), (r"\bpeople\b", "ppl"),
    (r"\bplease\b", "pls"), (r"\bthank you\b", "thank u"), (r"\bare\b", "r"),
]
EMOJI_POS = ["😊", "👍", "❤️", "🙏", "👏", "😀", "💙", "⭐⭐⭐⭐⭐"]
EMOJI_NEG = ["😡", "😠", "👎", "😤", "🤬", "😢", "🙄"]
SCORE_WORDS = {1: "Very good", 2: "Good", 3: "Neither good nor poor", 4: "Poor", 5: "Very poor",
               6: "Don't know"}

# Hand-written long stories, each planted once in a row of the named service and month.
# (service, (year, month), score, flags, text). Flags: "edwait", "triage", "staff", "parking".
LONG_STORIES = [
    (ED, (2024, 1), 4, ("edwait", "staff"),
     "I brought my dad in on the Tuesday evening after he had a fall at home. He is 84 and has dementia so "
     "being somewhere loud and strange is really distressing for him. We arrived about 6pm and the lady on "
     "the desk was kind and got him booked in quickly. Then we waited. And waited. It was gone 11 before a "
     "nurse did his obs, and after that we sat on plastic chairs in the corridor until nearly 4 in the "
     "morning. Dad kept trying to get up and wander off and I had to keep him calm on my own the whole time, "
     "nobody offered him a drink or a blanket until I asked.\n\nWhen we were finally seen the doctor was "
     "lovely, very patient with dad and explained that his hip was not broken but he had cracked two ribs. "
     "She took the time to talk to me about his tablets and sorted his pain relief. The nurse who did his "
     "x-ray held his hand the whole way through, which I will never forget.\n\nI know the staff are doing "
     "their best, you could see they were run ragged and there were ambulances queued outside. But 10 hours "
     "in A&E for a frail 84 year old with dementia is not safe. There needs to be somewhere quieter for "
     "people like my dad to wait, and someone needs to check on the people sat in the corridor. I'm giving "
     "Poor not because of the staff who were brilliant but because of the system."),
    (MAT, (2023, 9), 2, ("staff",),
     "I want to give some proper feedback because there were good and bad bits and I think both matter. I "
     "came in for an induction at 40+12 and was told to arrive at 8am. We didn't actually get started until "
     "nearly 5pm because the labour ward was full, and nobody really came to tell us what was going on, we "
     "just sat in a bay on the antenatal ward watching other people come and go. My partner had to keep going "
     "to the desk to ask.\n\nOnce things got going though the midwives were incredible. The midwife who looked "
     "after me overnight was calm, funny and so reassuring, she explained every step and when I panicked about "
     "the epidural she sat and held my hand and talked me through it. The anaesthetist was quick and the "
     "epidural worked perfectly. Our daughter was born at 6.10am and it was honestly the best moment of my life "
     "and the team made it feel safe and special. The student midwife even took photos for us.\n\nThe "
     "postnatal ward was a different story. My partner was sent home at 10pm which meant I was on my own with "
     "a newborn after a long labour and I could barely get out of bed. I pressed the buzzer twice in the night "
     "and waited over 40 minutes both times. The ward was boiling hot and so noisy I didnt sleep at all. The "
     "breakfast was cold toast. I know the staff were stretched, there seemed to be two midwives for the whole "
     "ward, but that isnt safe.\n\nThen discharge took all day. We were told in the morning we could go, then "
     "waited for the paediatrician to check baby, then for the discharge paperwork, then for the pharmacy, "
     "and we finally left at 7pm. By then I was exhausted and in tears.\n\nThe breastfeeding support was "
     "hit and miss too. One of the maternity support workers spent a good half hour with me in the night "
     "and showed me how to get baby latched properly which was a game changer, but the next morning a "
     "different midwife told me to do it completely differently and then suggested formula without really "
     "asking what I wanted. I went home feeling confused and a bit of a failure, and it was the community "
     "midwife on day three who finally got us sorted.\n\nSo I'd say the labour ward and the "
     "midwives deserve Very good but the postnatal ward and the discharge process need a proper look. Please "
     "let partners stay, it makes such a difference."),
    (CMH, (2023, 11), 1, ("staff",),
     "Id been on the waiting list for nearly seven months after my GP referred me. During that time I rang "
     "the team several times and was told I was on the list and to call the crisis line if things got worse. "
     "When they did get worse the crisis line took ages to answer and the first person I spoke to was quite "
     "cold, I felt like I was bothering them. I'm being honest about that because I think its important.\n\n"
     "BUT since I was allocated a care coordinator everything has changed. She is the first professional who "
     "has ever actually listened to me without rushing me or making me feel like a statistic. She read my "
     "notes before our first meeting so I didnt have to tell my whole story again which was a massive relief. "
     "She got my medication reviewed with the psychiatrist within a couple of weeks and helped me get on a "
     "group course which has given me tools I use every day.\n\nI'm back at work part time now and I genuinely "
     "don't think I would be here without the team. I've scored Very good because of the care I've had since "
     "being allocated, but please please do something about the waiting list, people are really struggling "
     "while they wait and the crisis line needs more staff."),
    (W7, (2024, 2), 4, ("staff",),
     "My mum was on Ward 7 for just over three weeks with a chest infection and confusion. I want to start by "
     "saying the healthcare assistants were wonderful with her, they sang to her, they did her hair, and one of "
     "them sat with her on a really bad night when she was frightened. That kindness meant everything to us.\n\n"
     "However there were a lot of things that went wrong. Mum is very deaf and her hearing aids went missing "
     "in the first week and were never found. Without them she couldn't follow what anyone was saying which "
     "made her more confused. Her meals were regularly left on the table out of her reach and taken away "
     "untouched, we only realised when she started losing weight. We asked for her to be put on a food chart "
     "and it took four days. She was moved bays twice without anyone telling us and one evening I turned up "
     "and couldn't find her.\n\nCommunication with the family was poor. We never knew which doctor was looking "
     "after her, and when we asked for an update we were told to ring in the morning, then when we rang in "
     "the morning nobody answered the phone. She developed a pressure sore on her heel which nobody mentioned "
     "to us until the district nurse found it after she got home.\n\nDischarge was the worst part. She was "
     "declared medically fit and then waited THREE DAYS for a care package. Then she was sent home at 9pm on a "
     "Friday with no tablets because pharmacy had closed, and the carers didnt start until the Monday. I had to "
     "take time off work and stay with her. When I rang the ward on the Saturday to ask about her tablets "
     "the nurse I spoke to was helpful and got the out of hours doctor to send a prescription to the chemist, "
     "so credit where it is due, but it should never have got to that point. Mum is 91, she should not be "
     "going home in the dark to an empty house.\n\nI know the ward is under pressure and some of the staff are "
     "amazing. But the basics, food, hearing aids, telling families what is happening, are not happening and "
     "that needs to change. I have scored Poor and I hope someone reads this."),
    (OP, (2024, 5), 2, (),
     "My appointment in the rheumatology clinic was cancelled three times, once by text the night before, "
     "once by letter after I'd already taken the day off, and once when I was actually sitting in the "
     "waiting room. Every time I had to ring the booking line and every time it took ages to get through. All "
     "in all it took nine months from my GP referral to actually being seen.\n\nThe consultant when I finally "
     "saw her was brilliant though. She'd read my history, she examined me properly, she explained what the "
     "blood results meant and she gave me a clear plan. The nurse who did my bloods was quick and chatty. I "
     "left feeling like somebody finally understood what was going on with my joints.\n\nSo Good overall "
     "because of the clinical care, but the admin side needs sorting."),
    (PTS, (2024, 8), 5, (),
     "I have dialysis three times a week and rely on patient transport. It used to be reliable but this "
     "summer it has been awful. I am regularly picked up an hour late which means I start dialysis late and "
     "finish late, then I wait for transport home, sometimes until 8 or 9 at night. Last Thursday nobody came "
     "at all and when I rang the control room they said there was no booking, even though it is a standing "
     "booking that has been the same for two years. I had to get a taxi which cost me £38 that I can't "
     "afford. The drivers themselves are kind and do their best but whoever plans the rotas is setting them "
     "up to fail. This is not a one off, its every week. VERY POOR."),
    (N111, (2024, 12), 3, (),
     "Rang 111 at about 7pm because my 2 year old had a temperature of 39.8 that wouldn't come down and she "
     "was very floppy. Got through fairly quickly and the call handler was calm and reassuring, went through "
     "all the questions and said a nurse would ring back within an hour.\n\nThe call back came at half past "
     "midnight, over five hours later. In that time her temperature went up again and we were frantic. When "
     "the nurse did ring she was lovely and clearly knew her stuff, she listened to me and decided we should "
     "take her to A&E which we did.\n\nI'm giving Neither because the people were good but five hours waiting "
     "for a call back about a poorly toddler is far too long. If we'd known it would be that long we would "
     "have gone straight to A&E."),
    (ED, (2024, 9), 1, ("triage", "staff"),
     "Came in with chest pains last Sunday, honestly expected to be there all night after what happened last "
     "winter when I waited nine hours. This time it was completely different. A senior nurse and a doctor were "
     "seeing people at the front door, I had an ECG and bloods within about 15 minutes of walking in and was "
     "moved straight through to majors. Everyone explained what they were doing and why. Thankfully it wasn't "
     "my heart. Whatever you have changed at the front of A&E please keep it, it made a frightening evening so "
     "much easier. Thank you to everyone on duty."),
]

# Rows that carry a personal identifier the ingest redactor must remove. (label, service, column, score,
# text, exact substring). The Response IDs are chosen by the generator and printed.
NHS_NUMBER_SPACED = "943 476 5919"  # NHS Digital's published test number; check digit 9 (mod 11)
NHS_BASE_UNSPACED = "999123457"  # 999 range: never issued, kept for testing; check digit computed below


def nhs_check_digit(nine: str) -> int | None:
    """The mod-11 check digit of an NHS number's first nine digits, or None when none is valid (10)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


NHS_NUMBER_UNSPACED = NHS_BASE_UNSPACED + str(nhs_check_digit(NHS_BASE_UNSPACED))
for _number in (NHS_NUMBER_SPACED.replace(" ", ""), NHS_NUMBER_UNSPACED):
    assert nhs_check_digit(_number[:9]) == int(_number[9]), _number

IDENTIFIERS = [
    ("name: Dr Patel", OP, "why", 1, "Dr Patel",
     "Dr Patel was excellent, he went through my scan results slowly and drew me a diagram. Best "
     "consultant I have seen in years."),
    ("name: Dr Patel", ED, "why", 2, "Dr Patel",
     "Seen by Dr Patel in minors who was thorough and kind, the rest of the visit was fine"),
    ("name: nurse Kelly", W7, "why", 1, "nurse Kelly",
     "nurse Kelly on nights was an angel to my mum, nothing was too much trouble. please pass on our thanks"),
    ("phone number", CMH, "improve", 4, "07700 900482",
     "Somebody please call me back on 07700 900482, I have left three messages about my medication review"),
    ("email address", OP, "why", 3, "sarah.j.walker@example.com",
     "Appointment was fine but the letter went to my old address. Please email me at "
     "sarah.j.walker@example.com instead of posting letters"),
    ("postcode (with street address)", PTS, "why", 5, "RV4 7QT",
     "Transport was meant to collect me from 14 Mill Lane, RV4 7QT at 8 but didn't arrive until 9.40 and I "
     "missed my clinic"),
    ("NHS number (spaced, valid check digit)", N111, "why", 3, NHS_NUMBER_SPACED,
     f"Gave them my NHS number {NHS_NUMBER_SPACED} twice and they still couldn't find my GP record so I had "
     "to answer everything again"),
    ("NHS number (unspaced, valid check digit)", OP, "improve", 2, NHS_NUMBER_UNSPACED,
     f"Letters keep going to the wrong person, my nhs no is {NHS_NUMBER_UNSPACED} if you need to check"),
]

HOSTILE = [
    ("HTML script tag", OP, "why", 3,
     "<script>alert(1)</script> Appointment was fine but your online feedback form is rubbish"),
    ("spreadsheet formula (=)", OP, "why", 4,
     '=HYPERLINK("http://example.com","click") to see photos of the state of the toilets in outpatients'),
    ("leading + sign", MAT, "why", 1, "+1 for the midwives on the birth centre, absolutely amazing"),
    ("leading @ sign", OP, "improve", 3, "@reception - a smile costs nothing"),
    ("leading - sign", W7, "why", 5, "-5 stars if I could give it, the food was inedible"),
]

DUPLICATED_IDS = 4  # this many respondents' rows appear twice, byte for byte


# ---------------------------------------------------------------------------------------------------------
# Parsing the bank
# ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fragment:
    text: str
    services: tuple[str, ...]


def parse_bank(text: str) -> dict[tuple[str, str], list[Fragment]]:
    bank: dict[tuple[str, str], list[Fragment]] = {}
    key = None
    seen: set[str] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("== "):
            _, pool, polarity = line.split()
            key = (pool, polarity)
            bank.setdefault(key, [])
            continue
        assert key is not None, line
        services: tuple[str, ...] = tuple(SERVICES)
        m = re.match(r"\[([A-Z0-9,]+)\] (.*)", line)
        if m:
            names: list[str] = []
            for tag in m.group(1).split(","):
                names.extend(GROUPS.get(tag, [tag]))
            for name in names:
                assert name in SERVICES, (name, line)
            services = tuple(s for s in SERVICES if s in names)
            line = m.group(2)
        # Exact repeats are allowed only where real people repeat themselves (placeholders, "Nothing.").
        if key[0] not in ("nothing", "short", "opener", "closer"):
            assert (key, line) not in seen, f"repeated fragment: {line}"
        seen.add((key, line))  # type: ignore[arg-type]
        bank[key].append(Fragment(line, services))
    return bank


BANK = parse_bank(FRAGMENTS)
WAIT_WORDS = re.compile(r"\b(wait|waited|waiting|queue|queuing|hours?|delay)\b", re.I)
PARK_WORDS = re.compile(r"park", re.I)


# ---------------------------------------------------------------------------------------------------------
# Row generation
# ---------------------------------------------------------------------------------------------------------
@dataclass
class Row:
    date: dt.date
    service: str
    site: str
    ward: str
    age: str
    ethnicity: str
    score: int | None  # 1-6, or None for not given
    score_text: str
    why: str = ""
    improve: str = ""
    why_status: str = "blank"  # text | placeholder | blank
    improve_status: str = "blank"  # text | nothing | placeholder | blank
    why_clauses: list[str] = field(default_factory=list)
    improve_clauses: list[str] = field(default_factory=list)
    discordant: str = ""  # "" | "praise scored very poor" | "complaint scored very good"
    ed_wait: bool = False
    parking: bool = False
    triage: bool = False
    staff: bool = False
    long_story: bool = False
    special: str = ""
    noise: list[str] = field(default_factory=list)
    rid: str = ""


def weighted(rng: random.Random, items: list, weights: list[float]):
    return rng.choices(items, weights=weights, k=1)[0]


def age_band(rng: random.Random, service: str) -> str:
    bands = ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+", "Prefer not to say", ""]
    if service == MAT:
        w = [.18, .50, .26, .02, 0, 0, 0, .03, .01]
    elif service == W7:
        w = [0, 0, .01, .02, .05, .2, .66, .04, .02]
    elif service == PTS:
        w = [.02, .03, .06, .1, .18, .25, .3, .03, .03]
    elif service == CMH:
        w = [.2, .25, .2, .15, .1, .04, .02, .03, .01]
    else:
        w = [.1, .15, .15, .16, .16, .13, .1, .03, .02]
    return weighted(rng, bands, w)


ETHNICITY = [
    ("White: English, Welsh, Scottish, Northern Irish or British", 72),
    ("White: Irish", 1),
    ("White: Gypsy or Irish Traveller", 0.4),
    ("White: Roma", 0.3),
    ("White: Other White", 5),
    ("Mixed or Multiple ethnic groups: White and Black Caribbean", 0.8),
    ("Mixed or Multiple ethnic groups: White and Black African", 0.5),
    ("Mixed or Multiple ethnic groups: White and Asian", 0.7),
    ("Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups", 0.6),
    ("Asian, Asian British or Asian Welsh: Indian", 3),
    ("Asian, Asian British or Asian Welsh: Pakistani", 2.5),
    ("Asian, Asian British or Asian Welsh: Bangladeshi", 1),
    ("Asian, Asian British or Asian Welsh: Chinese", 0.6),
    ("Asian, Asian British or Asian Welsh: Other Asian", 1),
    ("Black, Black British, Black Welsh, Caribbean or African: African", 2.5),
    ("Black, Black British, Black Welsh, Caribbean or African: Caribbean", 1),
    ("Black, Black British, Black Welsh, Caribbean or African: Other Black", 0.5),
    ("Other ethnic group: Arab", 0.5),
    ("Other ethnic group: Any other ethnic group", 1),
    ("Prefer not to say", 3),
    ("", 4),
]


class Writer:
    """Composes comment text from the bank for one service."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def fill(self, text: str, service: str) -> str:
        rng = self.rng
        staffp, staffs = STAFF_WORDS[service]
        rels = W7_RELATIVES if service == W7 else RELATIVES
        values = {
            "h": str(rng.choice([2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 8, 9, 10, 11, 12])),
            "m": str(rng.choice([5, 10, 10, 15, 15, 20, 20, 25, 30, 40, 45])),
            "w": str(rng.choice([6, 8, 10, 12, 14, 18, 20, 26])),
            "mo": str(rng.choice([3, 4, 5, 6, 7, 8, 9, 10, 12, 14])),
            "fee": rng.choice(["3.50", "4", "4.80", "5", "6.20", "2.50", "7"]),
            "rel": rng.choice(rels),
            "adj": rng.choice(ADJ),
            "staffp": rng.choice(staffp),
            "staffs": rng.choice(staffs),
        }
        if service == ED and "{h}" in text:
            values["h"] = str(rng.choice([4, 5, 5, 6, 6, 7, 8, 8, 9, 10, 11, 12, 14]))
        return text.format(**values)

    def pick(self, pool: str, polarity: str, service: str, avoid: list[str]) -> str | None:
        candidates = [f for f in BANK.get((pool, polarity), []) if service in f.services
                      and f.text not in avoid]
        if service == ED and polarity == "-" and pool not in ("edwait", "improve"):
            # ED waiting complaints are planted only through the `edwait` pool, so the trend is exact.
            candidates = [f for f in candidates if not WAIT_WORDS.search(f.text)]
        if not pool.startswith("parking"):
            candidates = [f for f in candidates if not PARK_WORDS.search(f.text)]
        if not candidates:
            return None
        frag = self.rng.choice(candidates)
        avoid.append(frag.text)
        return frag.text


def touchpoint_choice(rng: random.Random, service: str, polarity: str, used: list[str]) -> str:
    weights = dict(TOUCHPOINT_WEIGHTS[service])
    if polarity == "+":
        weights.pop("staff", None)  # staff praise is planted at a fixed rate
    for tp in used:
        if tp in weights and tp != "general":
            weights[tp] *= 0.15
    names = sorted(weights)
    return weighted(rng, names, [weights[n] for n in names])


def capitalise(text: str) -> str:
    """Upper-cases the first letter when the text starts with one ("4 hours" stays as it is)."""
    if text[:1].isalpha():
        return text[0].upper() + text[1:]
    return text


def join_clauses(rng: random.Random, clauses: list[tuple[str, str]]) -> str:
    """Joins (text, polarity) clauses into sentences the way people write them."""
    if rng.random() < 0.05:  # run-on: no punctuation at all
        out = clauses[0][0]
        prev = clauses[0][1]
        for text, pol in clauses[1:]:
            out += (rng.choice([" but ", " ", " but "]) if pol != prev else rng.choice([" ", " and "])) + text
            prev = pol
        return out.lower()
    out = capitalise(clauses[0][0])
    prev = clauses[0][1]
    for text, pol in clauses[1:]:
        if pol != prev:
            conn = weighted(rng, [", but ", " but ", ". But ", ". However ", " although ", "... "],
                            [4, 3, 2, 1, 1, 1])
        else:
            conn = weighted(rng, [". ", ", ", " and ", ". Also ", "! ", ", also "], [5, 3, 3, 1, 1, 1])
        if conn in (". ", "! ", "... "):
            text = capitalise(text)
        out += conn + text
        prev = pol
    return out


def roughen(rng: random.Random, text: str, negative: bool, very_poor: bool, noise: list[str],
            emoji_ok: bool = True) -> str:
    """Adds the mistakes and habits of real comments: typos, txt-speak, capitals, emoji."""
    if rng.random() < 0.22:
        hits = [(a, b) for a, b in MISSPELLINGS if re.search(rf"\b{a}\b", text, re.I)]
        if hits:
            for a, b in rng.sample(hits, min(len(hits), rng.choice([1, 1, 2]))):
                text = re.sub(rf"\b{a}\b", lambda m, b=b: b if m.group(0)[0].islower() else capitalise(b),
                              text, count=1, flags=re.I)
            noise.append("misspelling")
    if rng.random() < 0.10:
        new = re.sub(r"\b(\w+)n't\b", r"\1nt", text)
        new = re.sub(r"\bI'm\b", "Im", new)
        if new != text:
            text = new
            noise.append("no apostrophes")
    if rng.random() < 0.12:
        new = text
        for pat, rep in rng.sample(TXT_SPEAK, 4):
            new = re.sub(pat, rep, new, flags=re.I)
        if re.search(r"\d+ hours", text):
            new = re.sub(r"\b(\d+) hours\b", r"\1hrs", new)
        if new != text:
            text = new
            noise.append("txt-speak")
    elif re.search(r"\b\d+ hours\b", text) and rng.random() < 0.35:
        text = re.sub(r"\b(\d+) hours\b", rng.choice([r"\1hrs", r"\1 hrs", r"\1hr"]), text)
        noise.append("txt-speak")
    ending = rng.random()
    if ending < 0.35 or text.rstrip()[-1:] in (".", "!", "?"):
        pass  # no (further) final punctuation
    elif negative and ending < 0.5:
        text += rng.choice(["!", "!!", "!!!"])
    elif ending < 0.97:
        text += "."
    else:
        text += rng.choice(["..", "...", " ."])
    if rng.random() < 0.12:
        text = text.lower()
        noise.append("lower case")
    if very_poor and rng.random() < 0.22:
        if rng.random() < 0.5:
            text = text.upper()
        else:
            parts = re.split(r"(?<=[.!]) ", text)
            i = rng.randrange(len(parts))
            parts[i] = parts[i].upper()
            text = " ".join(parts)
        noise.append("ALL CAPS")
    if emoji_ok and rng.random() < 0.06:
        emoji = rng.choice(EMOJI_NEG if negative else EMOJI_POS)
        text += rng.choice([" ", "", " "]) + emoji * rng.choice([1, 1, 2, 3])
        noise.append("emoji")
    if rng.random() < 0.03:
        text = text.replace(" ", "  ", 1)
        noise.append("double space")
    if rng.random() < 0.02:
        text = " " + text + rng.choice([" ", "  ", "\n"])
        noise.append("stray whitespace")
    return text


def compose_why(rng: random.Random, w: Writer, row: Row) -> None:
    s = row.score
    forced: list[tuple[str, str, str]] = []  # (pool, polarity, label)
    if row.ed_wait:
        forced.append(("edwait", "-", "waiting-"))
    if row.parking:
        pool = "parking_northgate" if (row.site == NORTHGATE and row.date >= NORTHGATE_PARKING_CHANGE
                                       and rng.random() < 0.6) else "parking"
        forced.append((pool, "-", "travel-"))
    if row.triage:
        forced.append(("triage", "+", "assessment+"))
    if row.staff:
        forced.append(("staff", "+", "staff+"))

    if row.discordant == "praise scored very poor":
        main, other_p = "+", 0.0
    elif row.discordant == "complaint scored very good":
        main, other_p = "-", 0.0
    elif s in (1, 2):
        main, other_p = "+", (0.10 if s == 1 else 0.35)
    elif s in (4, 5):
        main, other_p = "-", (0.35 if s == 4 else 0.15)
    elif s == 3:
        main, other_p = rng.choice(["+", "-"]), 1.0
    else:
        main, other_p = rng.choice(["+", "-"]), 0.3

    if s in (6, None) and not forced and rng.random() < 0.6:
        text = w.pick("dontknow", "0", row.service, []) or "not sure"
        row.why = roughen(rng, capitalise(text), False, False, row.noise)
        row.why_clauses = ["none"]
        return

    n = weighted(rng, [1, 2, 3, 4, 5, 6], [28, 38, 21, 8, 3, 2])
    if rng.random() < 0.04:
        n = rng.choice([6, 7, 8])  # the occasional essay
    pos_forced = sum(1 for f in forced if f[1] == "+")
    neg_forced = len(forced) - pos_forced
    n = max(n, len(forced))
    plan: list[str] = []
    # Keep text in line with the score: a positive score needs the positive clauses to lead, and so on.
    n_pos = pos_forced
    n_neg = neg_forced
    rest = n - len(forced)
    for _ in range(rest):
        if rng.random() < other_p and (n_pos + n_neg) > 0:
            pol = "-" if main == "+" else "+"
        else:
            pol = main
        plan.append(pol)
        if pol == "+":
            n_pos += 1
        else:
            n_neg += 1
    if main == "+" and n_pos < max(1, n_neg):
        for _ in range(max(1, n_neg) - n_pos):
            plan.append("+")
            n_pos += 1
    if main == "-" and n_neg < max(1, n_pos):
        for _ in range(max(1, n_pos) - n_neg):
            plan.append("-")
            n_neg += 1
    if s == 3 and not row.discordant and (n_pos == 0 or n_neg == 0):
        plan.append("-" if n_neg == 0 else "+")

    items: list[tuple[str, str, str]] = list(forced)
    used_tps: list[str] = []
    for pol in plan:
        tp = touchpoint_choice(rng, row.service, pol, used_tps)
        used_tps.append(tp)
        items.append((tp, pol, f"{tp}{pol}"))
    rng.shuffle(items)
    if rng.random() < 0.7:  # most people give the good and the bad in one block each
        first = rng.choice(["+", "-"])
        items.sort(key=lambda it: it[1] != first)

    avoid: list[str] = []
    clauses: list[tuple[str, str]] = []
    labels: list[str] = []
    for pool, pol, label in items:
        text = w.pick(pool, pol, row.service, avoid)
        if text is None:
            text = w.pick("general", pol, row.service, avoid)
            label = f"general{pol}"
        if text is None:
            continue
        clauses.append((w.fill(text, row.service), pol))
        labels.append(label)

    # Short one-liners, openers and closers.
    if len(clauses) == 1 and not forced and rng.random() < 0.3:
        pol = clauses[0][1] if s != 3 else "0"
        short = w.pick("short", pol, row.service, [])
        if short:
            clauses = [(short, clauses[0][1])]
            labels = [f"general{clauses[0][1]}"]
    body = join_clauses(rng, clauses)
    tone = main if s != 3 else "0"
    if row.discordant:
        tone = main
    if rng.random() < 0.12:
        opener = w.pick("opener", tone, row.service, [])
        if opener:
            body = opener + " " + capitalise(body)
    if rng.random() < 0.18:
        closer = w.pick("closer", tone, row.service, [])
        if closer:
            body = body.rstrip(".") + ". " + closer
    row.why = roughen(rng, body, main == "-", s == 5 and main == "-", row.noise)
    row.why_clauses = labels


def compose_improve(rng: random.Random, w: Writer, row: Row) -> None:
    negs = [c[:-1] for c in row.why_clauses if c.endswith("-")]
    positive_row = (row.score in (1, 2) and not negs) or row.discordant == "praise scored very poor"
    if positive_row and rng.random() < 0.5:
        text = w.pick("nothing", "+", row.service, []) or "Nothing."
        row.improve = text
        row.improve_status = "nothing"
        row.improve_clauses = ["nothing"]
        return
    picks: list[str] = []
    if row.ed_wait:
        picks.append("edwait")
    if row.parking:
        picks.append("parking_northgate" if row.site == NORTHGATE and row.date >= NORTHGATE_PARKING_CHANGE
                     and rng.random() < 0.5 else "parking")
    for tp in negs:
        if tp in ("general",) or rng.random() < 0.4:
            continue
        picks.append(tp)
    if not picks:
        options = sorted(k for k in TOUCHPOINT_WEIGHTS[row.service] if k not in ("general",))
        if row.service == ED:
            options = [o for o in options if o != "waiting"]
        picks.append(rng.choice(options + ["general", "general"]))
    picks = picks[: rng.choice([1, 1, 1, 2, 2, 3])]
    avoid: list[str] = []
    parts: list[str] = []
    labels: list[str] = []
    for tp in picks:
        text = w.pick("improve", tp, row.service, avoid)
        if text is None:
            text = w.pick("improve", "general", row.service, avoid)
            tp = "general"
        if text:
            parts.append(text)
            labels.append(tp)
    softened = positive_row and rng.random() < 0.4
    lead = "" if softened else weighted(rng, ["", "Maybe ", "Honestly ", "Just "], [10, 2, 1, 1])
    body = capitalise(parts[0]) if not lead else lead + parts[0][0].lower() + parts[0][1:]
    for p in parts[1:]:
        glue = rng.choice([". ", ", ", " and ", ". Also "])
        body += glue + (capitalise(p) if glue == ". " else p[0].lower() + p[1:])
    if softened:
        body = rng.choice(["Not much really, maybe ", "Only small thing: ", "Nothing major. "]) + (
            body[0].lower() + body[1:] if not body.startswith("Nothing") else body)
    row.improve = roughen(rng, body, not positive_row, row.score == 5 and not positive_row, row.noise,
                          emoji_ok=row.score in (4, 5) and not positive_row)
    row.improve_status = "text"
    row.improve_clauses = labels


def month_iter():
    y, m = FIRST_MONTH
    for _ in range(MONTHS):
        yield y, m
        m += 1
        if m == 13:
            y, m = y + 1, 1


def days_in(y: int, m: int) -> int:
    nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
    return (nxt - dt.date(y, m, 1)).days


def monthly_volumes(rng: random.Random) -> list[int]:
    season = {1: 10, 2: 7, 3: 3, 4: 0, 5: -2, 6: -3, 7: -4, 8: -9, 9: 0, 10: 3, 11: 6, 12: 4}
    vols = []
    for y, m in month_iter():
        v = round(50 + season[m] + rng.gauss(0, 7))
        vols.append(min(80, max(30, v)))
    return vols


def score_for(rng: random.Random, dist: list[float]) -> int | None:
    r = rng.random()
    if r < 0.015:
        return 6
    if r < 0.035:
        return None
    return weighted(rng, [1, 2, 3, 4, 5], dist)


def skeleton(rng: random.Random, date: dt.date, service: str) -> Row:
    """Who answered, where and when, and whether they wrote a Why comment: everything the planted flags
    are drawn over."""
    site = weighted(rng, [s for s, _ in SITES[service]], [p for _, p in SITES[service]])
    row = Row(date=date, service=service, site=site, ward=rng.choice(WARDS[service]),
              age=age_band(rng, service), ethnicity=weighted(rng, [e for e, _ in ETHNICITY],
                                                             [p for _, p in ETHNICITY]),
              score=None, score_text="")
    row.why_status = weighted(rng, ["text", "blank", "placeholder"], [86, 8, 6])
    return row


def quota(rng: random.Random, rows: list[Row], p: float) -> list[Row]:
    """Picks round(p * len(rows)) rows (rounding at random, so the expectation is exact)."""
    k = int(p * len(rows))
    if rng.random() < p * len(rows) - k:
        k += 1
    return rng.sample(rows, k)


def plant_flags(rng: random.Random, month_rows: list[Row]) -> None:
    """Sets the planted trend flags on one month's rows: exact monthly quotas, so the trend is visible in
    a month of 10-20 ED comments, not lost in sampling noise."""
    d = month_rows[0].date
    with_why = [r for r in month_rows if r.why_status == "text"]
    for r in quota(rng, [r for r in with_why if r.service == ED], p_ed_wait(d.year, d.month)):
        r.ed_wait = True
    for site in (RIVERSIDE, NORTHGATE, KINGSMEAD):
        visitors = [r for r in with_why if r.site == site and r.service in GROUPS["VISIT"]]
        for r in quota(rng, visitors, p_parking(site, d)):
            r.parking = True
    for r in with_why:
        r.staff = rng.random() < P_STAFF_PRAISE
        r.triage = (r.service == ED and r.date >= PDSA_TRIAGE_START and not r.ed_wait
                    and rng.random() < P_TRIAGE_PRAISE)
    # About a tenth of Why rows carry a complaint flag, so the rest take a slightly higher share.
    for r in quota(rng, [r for r in with_why if not (r.ed_wait or r.parking)], P_DISCORDANT / 0.9):
        r.discordant = rng.choice(["praise scored very poor", "complaint scored very good"])


def make_row(rng: random.Random, w: Writer, row: Row) -> Row:
    has_why = row.why_status == "text"
    if row.discordant == "praise scored very poor":
        row.score = 5
    elif row.discordant == "complaint scored very good":
        row.score = 1
        row.staff = row.triage = False
    elif row.ed_wait or row.parking:
        row.score = score_for(rng, COMPLAINT_SCORES)
        if row.score in (6, None):
            row.score = weighted(rng, [3, 4, 5], [1, 1, 1])
    else:
        row.score = score_for(rng, BASE_SCORES[row.service])
        if row.triage and row.score in (4, 5):
            row.score = rng.choice([1, 2])
    # Score as the export writes it.
    if row.score is None:
        row.score_text = weighted(rng, ["", "7"], [3, 1])
    elif rng.random() < 0.10:
        row.score_text = SCORE_WORDS[row.score]
    else:
        row.score_text = str(row.score)

    if has_why:
        compose_why(rng, w, row)
    elif row.why_status == "placeholder":
        row.why = rng.choice(PLACEHOLDERS_WHY)

    improve_mode = weighted(rng, ["text", "blank", "placeholder"], [62, 32, 6] if has_why else [35, 55, 10])
    if improve_mode == "text":
        compose_improve(rng, w, row)
    elif improve_mode == "placeholder":
        row.improve_status = "placeholder"
        row.improve = rng.choice(PLACEHOLDERS_IMPROVE)
    return row


def is_plain(row: Row) -> bool:
    return not (row.discordant or row.ed_wait or row.parking or row.triage or row.long_story or row.special)


def choose_host(rng: random.Random, rows: list[Row], service: str, score: int, when=None) -> Row:
    """A plain row of the service (and month) for a planted text, preferring one that already has the
    planted score; otherwise the row takes the planted score."""
    def fits(r: Row) -> bool:
        return (r.service == service and r.why_status == "text" and is_plain(r)
                and (when is None or (r.date.year, r.date.month) == when))
    cands = [r for r in rows if fits(r) and r.score == score] or [r for r in rows if fits(r)]
    assert cands, (service, score, when)
    row = rng.choice(cands)
    if row.score != score:
        row.score, row.score_text = score, str(score)
    return row


def plant(rng: random.Random, w: Writer, row: Row, column: str, text: str, clauses: list[str]) -> None:
    """Puts a hand-written text into one column and rewrites the other column (if the respondent wrote in
    it) so that it agrees with the planted score."""
    row.noise = []
    row.staff = row.triage = row.ed_wait = row.parking = False
    row.discordant = ""
    if column == "why":
        row.why, row.why_clauses = text, clauses
        if row.improve_status in ("text", "nothing"):
            compose_improve(rng, w, row)
    else:
        row.improve, row.improve_status, row.improve_clauses = text, "text", clauses
        compose_why(rng, w, row)


def plant_specials(rng: random.Random, w: Writer, rows: list[Row]) -> list[tuple[str, Row, str, str]]:
    """Puts the long stories, identifiers and hostile strings into chosen rows; returns (kind, row, column,
    detail) for the README."""
    planted = []
    for service, (y, m), score, flags, text in LONG_STORIES:
        row = choose_host(rng, rows, service, score, (y, m))
        plant(rng, w, row, "why", text, ["story"])
        row.long_story = True
        row.ed_wait = "edwait" in flags
        row.triage = "triage" in flags
        row.staff = "staff" in flags
        row.parking = "parking" in flags
        planted.append(("long story", row, Q_WHY, f"{len(text)} characters"))
    for label, service, column, score, needle, text in IDENTIFIERS:
        assert needle in text
        row = choose_host(rng, rows, service, score)
        plant(rng, w, row, column, text, ["special"])
        row.special = f"identifier: {label}"
        planted.append(("identifier", row, Q_WHY if column == "why" else Q_IMPROVE, f"{label}: `{needle}`"))
    for label, service, column, score, text in HOSTILE:
        row = choose_host(rng, rows, service, score)
        plant(rng, w, row, column, text, ["special"])
        row.special = f"hostile: {label}"
        planted.append(("hostile", row, Q_WHY if column == "why" else Q_IMPROVE, label))
    return planted


def generate():
    rng = random.Random(SEED)
    w = Writer(rng)
    rows: list[Row] = []
    for (y, m), volume in zip(month_iter(), monthly_volumes(rng)):
        winter = m in (11, 12, 1, 2)
        weights = list(SERVICE_WEIGHT)
        if winter:
            weights[0] *= 1.25  # more ED attendances (and so responses) in winter
        month_rows: list[Row] = []
        # Each service gets its share of the month, rounded at random, so a service's monthly count varies
        # only a little around its share (as a real trust's response volumes do).
        total = sum(weights)
        counts = [int(volume * wt / total) for wt in weights]
        short = volume - sum(counts)
        remainders = [volume * wt / total - c for wt, c in zip(weights, counts)]
        for i in rng.choices(range(len(SERVICES)), weights=remainders, k=short):
            counts[i] += 1
        for service, n in zip(SERVICES, counts):
            for _ in range(n):
                while True:
                    day = dt.date(y, m, rng.randint(1, days_in(y, m)))
                    if service not in WEEKDAYS_ONLY or day.weekday() < 5:
                        break
                month_rows.append(skeleton(rng, day, service))
        plant_flags(rng, month_rows)
        rows.extend(make_row(rng, w, r) for r in month_rows)
    rows.sort(key=lambda r: r.date)  # stable: same-day rows keep generation order
    planted = plant_specials(rng, w, rows)
    self_check(rows)
    rid = 2304017
    for row in rows:
        row.rid = str(rid)
        rid += rng.choice([1, 1, 1, 2, 3, 5])
    # Exact duplicates: an overlapping second export appended a few rows again, further down the file.
    dup_cands = [i for i, r in enumerate(rows) if r.why_status == "text" and is_plain(r) and i < len(rows) - 60]
    dup_idx = sorted(rng.sample(dup_cands, DUPLICATED_IDS))
    out: list[Row] = list(rows)
    dup_rows = []
    for i in reversed(dup_idx):
        pos = i + rng.randint(15, 60)
        out.insert(pos, rows[i])
        dup_rows.append(rows[i])
    return rows, out, planted, sorted(dup_rows, key=lambda r: int(r.rid))


IDENTIFIER_PATTERNS = [
    re.compile(r"\b(Dr|Doctor|Nurse|nurse|Sister|Mr|Mrs|Ms|Miss)\.? [A-Z][a-z]+"),  # titled name
    re.compile(r"\b0\d{3,4} ?\d{3} ?\d{3,4}\b"),  # UK phone number
    re.compile(r"\S+@\S+\.\w+"),  # email address
    re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b"),  # postcode
    re.compile(r"\b\d{3} ?\d{3} ?\d{4}\b"),  # NHS-number-like
]


def self_check(rows: list[Row]) -> None:
    """Fails loudly if a planted property the README promises does not hold: identifiers, hostile strings,
    parking and ED-wait mentions appear only in the rows that are meant to carry them."""
    for r in rows:
        texts = [(r.why, r.why_clauses), (r.improve, r.improve_clauses)]
        for text, _ in texts:
            if not r.special:
                for pat in IDENTIFIER_PATTERNS:
                    assert not pat.search(text), (r.rid, pat.pattern, text)
                assert "<" not in text and ">" not in text, (r.rid, text)
                assert text == "-" or text[:1] not in ("=", "+", "-", "@"), (r.rid, text)
        if not (r.parking or r.special):
            assert not PARK_WORDS.search(r.why) and not PARK_WORDS.search(r.improve), (r.rid, r.why, r.improve)
        if r.service == ED and not (r.ed_wait or r.long_story or r.special):
            neg = [c for c in r.why_clauses if c.endswith("-")]
            assert "waiting-" not in neg, (r.rid, r.why)
            assert not WAIT_WORDS.search(r.improve), (r.rid, r.improve)
        if r.discordant == "complaint scored very good":
            assert r.score == 1 and not any(c.endswith("+") for c in r.why_clauses), r.rid
        if r.discordant == "praise scored very poor":
            assert r.score == 5 and not any(c.endswith("-") for c in r.why_clauses), r.rid
        if r.improve_status == "nothing":
            assert r.score in (1, 2) or r.discordant == "praise scored very poor", r.rid


def csv_bytes(records: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(records)
    return buf.getvalue().encode("utf-8")


def export_records(out: list[Row]) -> list[list[str]]:
    recs = [HEADER]
    for r in out:
        recs.append([r.rid, r.date.strftime("%d/%m/%Y"), r.site, SERVICE_NAME[r.service], r.ward, r.age,
                     r.ethnicity, r.score_text, r.why, r.improve])
    return recs


def truth_records(rows: list[Row], dup_rows: list[Row]) -> list[list[str]]:
    dup_ids = {r.rid for r in dup_rows}
    recs = [TRUTH_HEADER]
    for r in rows:
        recs.append([
            r.rid, r.date.strftime("%Y-%m"), SERVICE_NAME[r.service], r.site,
            "" if r.score is None else str(r.score), r.why_status, r.improve_status,
            " ".join(r.why_clauses), " ".join(r.improve_clauses), r.discordant,
            str(int(r.ed_wait)), str(int(r.parking)), str(int(r.triage)), str(int(r.staff)),
            str(int(r.long_story)), r.special, "2" if r.rid in dup_ids else "1",
        ])
    return recs


# ---------------------------------------------------------------------------------------------------------
# Summary (pasted into README.md)
# ---------------------------------------------------------------------------------------------------------
def summary(rows: list[Row], out: list[Row], planted, dup_rows: list[Row], data: bytes, truth: bytes) -> str:
    lines: list[str] = []
    p = lines.append
    months = sorted({(r.date.year, r.date.month) for r in rows})
    p(f"file: sample-fft.csv, {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}")
    p(f"truth: sample-fft-truth.csv, {len(truth):,} bytes, sha256 {hashlib.sha256(truth).hexdigest()}")
    p(f"records (data rows, excluding header): {len(out)}")
    p(f"distinct Response IDs: {len(rows)}; exact duplicate rows: {len(out) - len(rows)} "
      f"(IDs {', '.join(r.rid for r in dup_rows)} each appear twice)")
    p(f"the duplicate rows hold {sum(1 for r in dup_rows if r.why_status == 'text')} Why texts and "
      f"{sum(1 for r in dup_rows if r.improve_status in ('text', 'nothing'))} improve texts/'Nothing'-type "
      f"answers ({sum(1 for r in dup_rows if r.improve_status == 'placeholder')} improve placeholders, "
      f"{sum(1 for r in dup_rows if r.improve_status == 'blank')} blank)")
    p(f"dates: {min(r.date for r in rows):%d/%m/%Y} to {max(r.date for r in rows):%d/%m/%Y}, "
      f"{len(months)} months")
    p("")
    p("Counts below are over distinct respondents (duplicates excluded).")
    p("")
    why = collections.Counter(r.why_status for r in rows)
    imp = collections.Counter(r.improve_status for r in rows)
    p(f"why column: text {why['text']}, placeholder {why['placeholder']}, blank {why['blank']}")
    p(f"improve column: text {imp['text']}, 'Nothing'-type praise {imp['nothing']}, "
      f"placeholder {imp['placeholder']}, blank {imp['blank']}")
    p(f"comments with text (why text + improve text + improve 'Nothing'-type): "
      f"{why['text'] + imp['text'] + imp['nothing']}")
    ph_why = collections.Counter(r.why for r in rows if r.why_status == "placeholder")
    ph_imp = collections.Counter(r.improve for r in rows if r.improve_status == "placeholder")
    p("why placeholders: " + ", ".join(f"{k!r} {v}" for k, v in sorted(ph_why.items())))
    p("improve placeholders: " + ", ".join(f"{k!r} {v}" for k, v in sorted(ph_imp.items())))
    texts = [r.why for r in rows if r.why_status == "text"]
    p(f"distinct why texts: {len(set(texts))} of {len(texts)} ({100 * len(set(texts)) / len(texts):.1f}%)")
    itexts = [r.improve for r in rows if r.improve_status == "text"]
    p(f"distinct improve texts (excluding 'Nothing'-type): {len(set(itexts))} of {len(itexts)}")
    lengths = sorted(len(t) for t in texts)
    p(f"why text length: median {lengths[len(lengths) // 2]}, max {lengths[-1]} characters; "
      f">= 500 characters: {sum(1 for n in lengths if n >= 500)}; with a line break: "
      f"{sum(1 for t in texts if chr(10) in t)}")
    p("")
    p("FFT score as written: " + ", ".join(
        f"{k!r} {v}" for k, v in sorted(collections.Counter(r.score_text for r in rows).items())))
    sc = collections.Counter(r.score for r in rows)
    p("FFT score interpreted: " + ", ".join(
        f"{SCORE_WORDS.get(k, 'Not given') if k else 'Not given'} {sc[k]}" for k in [1, 2, 3, 4, 5, 6, None]))
    rated = sum(sc[k] for k in [1, 2, 3, 4, 5])
    p(f"% positive (1-2 of 1-5): {100 * (sc[1] + sc[2]) / rated:.1f}%")
    p("")
    p("service: " + ", ".join(f"{SERVICE_NAME[s]} {sum(1 for r in rows if r.service == s)}" for s in SERVICES))
    p("site: " + ", ".join(f"{s} {n}" for s, n in sorted(collections.Counter(r.site for r in rows).items())))
    p("")
    disc = collections.Counter(r.discordant for r in rows if r.discordant)
    p(f"discordant (planted): {sum(disc.values())} of {why['text']} why comments "
      f"({100 * sum(disc.values()) / why['text']:.1f}%): " + ", ".join(f"{k} {v}" for k, v in sorted(disc.items())))
    p(f"ED waiting complaints: {sum(r.ed_wait for r in rows)}; parking complaints: "
      f"{sum(r.parking for r in rows)}; triage praise: {sum(r.triage for r in rows)}; "
      f"staff praise: {sum(r.staff for r in rows)}")
    noise = collections.Counter(n for r in rows for n in r.noise)
    p("noise (rows): " + ", ".join(f"{k} {v}" for k, v in sorted(noise.items())))
    p("")
    p("| month | rows | ED why | ED wait complaints | ED % positive | Northgate visit why | Northgate parking "
      "| staff praise / why |")
    p("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for y, m in months:
        mr = [r for r in rows if (r.date.year, r.date.month) == (y, m)]
        ed = [r for r in mr if r.service == ED and r.why_status == "text"]
        ed_rated = [r for r in mr if r.service == ED and r.score in (1, 2, 3, 4, 5)]
        edpos = sum(1 for r in ed_rated if r.score in (1, 2))
        ng = [r for r in mr if r.site == NORTHGATE and r.service in GROUPS["VISIT"] and r.why_status == "text"]
        wt = [r for r in mr if r.why_status == "text"]
        p(f"| {y}-{m:02d} | {len(mr)} | {len(ed)} | {sum(r.ed_wait for r in ed)} | "
          f"{100 * edpos / max(1, len(ed_rated)):.0f}% | {len(ng)} | {sum(r.parking for r in ng)} | "
          f"{sum(r.staff for r in wt)} / {len(wt)} |")
    p("")
    p("| kind | Response ID | service | column | detail |")
    p("| --- | --- | --- | --- | --- |")
    for kind, row, column, detail in sorted(planted, key=lambda t: (t[0], int(t[1].rid))):
        p(f"| {kind} | {row.rid} | {SERVICE_NAME[row.service]} | {column} | {detail} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    ap.add_argument("--check", action="store_true", help="compare with the files in --out, write nothing")
    args = ap.parse_args()
    rows, out, planted, dup_rows = generate()
    data = csv_bytes(export_records(out))
    truth = csv_bytes(truth_records(rows, dup_rows))
    files = {"sample-fft.csv": data, "sample-fft-truth.csv": truth}
    if args.check:
        stale = [n for n, b in files.items() if not (args.out / n).is_file() or (args.out / n).read_bytes() != b]
        if stale:
            print(f"out of date: {', '.join(stale)}; run python3 corpora/generate_sample.py", file=sys.stderr)
            return 1
        print("sample files are up to date")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, b in files.items():
        (args.out / name).write_bytes(b)
    print(summary(rows, out, planted, dup_rows, data, truth))
    return 0


if __name__ == "__main__":
    sys.exit(main())
